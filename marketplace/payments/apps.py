from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "marketplace.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        # orders' pages take payment through this (payments sit above orders).
        from marketplace.orders.payment import payment_step_register
        from marketplace.payments.checkout import CheckoutPaymentStep

        payment_step_register(CheckoutPaymentStep())
