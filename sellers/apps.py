from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Businesses")

    def ready(self):
        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(WorkspaceSection(80, "seller:team", _("Team")))
        workspace_section_register(WorkspaceSection(90, "seller:tokens", _("API tokens")))
