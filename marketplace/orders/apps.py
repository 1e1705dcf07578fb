from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "marketplace.orders"
    label = "orders"
    verbose_name = _("Cart, checkout and orders")

    def ready(self):
        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(WorkspaceSection(40, "orders_workspace:order_list", _("Orders")))
