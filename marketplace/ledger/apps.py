from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "marketplace.ledger"
    label = "ledger"
    verbose_name = _("Seller ledger")

    def ready(self):
        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(
            WorkspaceSection(50, "ledger_workspace:ledger", _("Ledger"), managers_only=True)
        )
