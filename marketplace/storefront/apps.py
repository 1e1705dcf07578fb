from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "marketplace.storefront"
    label = "storefront"
    verbose_name = _("Storefront")

    def ready(self) -> None:
        from catalog.product_page import product_page_section_register
        from marketplace.storefront.views import OffersSection

        product_page_section_register(OffersSection())
