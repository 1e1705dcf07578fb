"""Payment mutations: start paying for a checkout, complete a card payment."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from core.graphql.errors import errors_from_exception
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from core.ratelimit import client_ip
from marketplace.orders.errors import CheckoutError
from marketplace.orders.graphql.queries import cart_for_token
from marketplace.orders.graphql.types import PaymentMethodEnum
from marketplace.payments.graphql.types import PaymentType, payment_view
from marketplace.payments.models import Payment
from marketplace.payments.services import checkout_complete, checkout_payment_start


class CheckoutPaymentStart(BaseMutation):
    """Reserve the stock and start paying. Cash on delivery and VietQR place the orders at once
    (VietQR returns the payload to show); card returns Stripe's client secret, then call
    ``checkoutComplete`` after the Payment Element confirms."""

    class Arguments:
        token = graphene.UUID(required=True)
        method = PaymentMethodEnum(required=True)

    payment = graphene.Field(PaymentType)

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True

    @classmethod
    def mutate(cls, root, info, **data):
        # Not in the base class's transaction: the provider must be called with no transaction
        # open; the services make their own (reserve, then place).
        try:
            cart = cart_for_token(info, data["token"])
            user = info.context.user
            payment = checkout_payment_start(
                cart=cart,
                method=enum_value(data["method"]),
                actor=user if user.is_authenticated else None,
                client_key=client_ip(info.context),
            )
        except CheckoutError as exc:
            return cls(errors=errors_from_exception(exc))
        return cls(payment=payment_view(payment), errors=[])


class CheckoutComplete(BaseMutation):
    """After the card form: place the orders (confirmed when Stripe already took the money)."""

    class Arguments:
        token = graphene.UUID(required=True)

    payment = graphene.Field(PaymentType)

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            cart = cart_for_token(info, data["token"])
            payment = Payment.objects.filter(cart=cart).first()
            if payment is None:
                raise CheckoutError(_("Start the payment first."), code="invalid", field="token")
            checkout_complete(cart=cart)
        except CheckoutError as exc:
            return cls(errors=errors_from_exception(exc))
        payment.refresh_from_db()
        return cls(payment=payment_view(payment), errors=[])


class Mutation(graphene.ObjectType):
    checkout_payment_start = CheckoutPaymentStart.Field()
    checkout_complete = CheckoutComplete.Field()
