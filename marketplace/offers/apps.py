from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "marketplace.offers"
    label = "offers"
    verbose_name = _("Offers and stock")

    def ready(self):
        from sellers.workspace import WorkspaceSection, workspace_section_register

        for section in (
            WorkspaceSection(10, "offers:dashboard", _("Dashboard"), home=True),
            WorkspaceSection(20, "offers:offer_list", _("Offers")),
            WorkspaceSection(30, "offers:stock", _("Stock")),
            WorkspaceSection(60, "offers:product_list", _("Products")),
        ):
            workspace_section_register(section)
