from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "traceability"
    verbose_name = _("Traceability")

    def ready(self):
        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(
            WorkspaceSection(70, "traceability_workspace:batch_list", _("Batches & stamps"))
        )
