from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "marketplace.offers"
    label = "offers"
    verbose_name = _("Offers and stock")

    def ready(self):
        from core.catalogue_cache import catalogue_scope_resolver_register
        from marketplace.offers.models import Offer, Stock
        from marketplace.offers.scopes import offer_scopes, stock_scopes

        # A sale or an offer edit invalidates its product and sellers, not the catalogue.
        catalogue_scope_resolver_register(Offer, offer_scopes)
        catalogue_scope_resolver_register(Stock, stock_scopes)
        from sellers.workspace import WorkspaceSection, workspace_section_register

        for section in (
            WorkspaceSection(10, "offers:dashboard", _("Dashboard"), home=True),
            WorkspaceSection(20, "offers:offer_list", _("Offers")),
            WorkspaceSection(30, "offers:stock", _("Stock")),
            WorkspaceSection(60, "offers:product_list", _("Products")),
        ):
            workspace_section_register(section)
