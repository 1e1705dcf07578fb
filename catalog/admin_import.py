"""Decision admin and the recognition-list upload (owned by the importer work).

The upload view only checks the form and permissions and hands the file to a background job
(``registry_import_start``); the job page shows its progress, then the report. Every rule lives in
``catalog.importer``.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from catalog.importer import ImportReport
from catalog.importer.parsing import sheet_rows_exceed
from catalog.importer.services import IMPORT_TASK, registry_import_start
from catalog.models import Decision, EvaluationLevel, Framework, RegistryImport
from core.forms import ProvinceChoiceField
from core.jobs import job_readable, job_status
from core.models import Job

ERRORS_SHOWN = 500
# What importing needs: it creates decisions, businesses, products and certificates.
IMPORT_PERMISSIONS = ("catalog.add_decision", "catalog.add_certificate", "sellers.add_business")


class RegistryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Recognition list (CSV or XLSX)"),
        help_text=_(
            "UTF-8 CSV separated by ; or , or an Excel .xlsx file. Larger lists: the "
            "import_registry command."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and count, write nothing"), required=False, initial=True
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("DD/MM/YYYY. Leave blank to take it from the file's title line or columns."),
    )
    province = ProvinceChoiceField(label=_("Province"), required=False)
    framework = forms.ModelChoiceField(
        label=_("Criteria framework"),
        queryset=Framework.objects.all(),
        required=False,
        help_text=_("Blank: the framework in force on the decision date."),
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=255, required=False)
    source_url = forms.URLField(
        label=_("Source document URL"), max_length=500, required=False, assume_scheme="https"
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=EvaluationLevel.choices, initial=EvaluationLevel.PROVINCE
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        # Imported in the background, but the upload itself still passes through a web worker
        # and its request body limits; the command has no limit at all.
        max_bytes = settings.REGISTRY_ADMIN_MAX_BYTES
        max_rows = settings.REGISTRY_ADMIN_MAX_ROWS
        if upload.size > max_bytes or sheet_rows_exceed(
            upload.file, file_name=upload.name, limit=max_rows
        ):
            raise forms.ValidationError(
                _(
                    "This file is too large to import here (at most %(rows)s rows and "
                    "%(megabytes)s MB). Import it on the server with "
                    "`python manage.py import_registry FILE` — the same checks, all rows or none."
                )
                % {"rows": f"{max_rows:,}".replace(",", "."), "megabytes": max_bytes // 1024**2}
            )
        return upload


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "date", "issuer", "province", "framework", "certificate_count"]
    list_filter = ["framework", "province", "is_demo"]
    search_fields = ["number", "issuer"]
    date_hierarchy = "date"
    list_select_related = ["province", "framework"]
    change_list_template = "admin/catalog/decision/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(certificates_total=Count("certificates"))

    @admin.display(description=_("certificates"), ordering="certificates_total")
    def certificate_count(self, obj) -> int:
        return obj.certificates_total

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_decision_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="catalog_decision_import_job",
            ),
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        if request.method == "POST":
            form = RegistryImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                upload = data["file"]
                job = registry_import_start(
                    upload=upload,
                    file_name=upload.name,
                    dry_run=data["dry_run"],
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    province=data["province"].name if data["province"] else "",
                    framework_code=data["framework"].code if data["framework"] else "",
                    issuer=data["issuer"],
                    source_url=data["source_url"],
                    level=data["level"],
                    user=request.user,
                )
                return HttpResponseRedirect(
                    reverse("admin:catalog_decision_import_job", args=[job.pk])
                )
        else:
            form = RegistryImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import recognition list"),
            "form": form,
            "report": None,
            "changelist_url": reverse("admin:catalog_decision_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/decision/import_form.html", context)

    def import_job_view(self, request, job_id: int):
        """The import's job page: progress while it runs (reloading itself), then the report.
        ``?format=json``: the same status for a script or a poll."""
        job = get_object_or_404(Job, pk=job_id, kind=IMPORT_TASK)
        if not job_readable(job=job, user=request.user, permission=IMPORT_PERMISSIONS):
            raise PermissionDenied
        status = job_status(job=job)
        if request.GET.get("format") == "json":
            return JsonResponse(status)
        report = ImportReport.from_dict(status["result"]) if status["result"] else None
        errors_total = status["result"].get("errors_total", 0) if report else 0
        errors_shown = report.errors[:ERRORS_SHOWN] if report else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import recognition list"),
            "job": job,
            "status": status,
            "report": report,
            "errors_total": errors_total,
            "errors_shown": errors_shown,
            "errors_hidden": max(0, errors_total - len(errors_shown)),
            "import_url": reverse("admin:catalog_decision_import"),
            "changelist_url": reverse("admin:catalog_decision_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/decision/import_job.html", context)


@admin.register(RegistryImport)
class RegistryImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "created_at",
        "created_by",
        "rows_read",
        "certificates_created",
        "unchanged",
    ]
    search_fields = ["file_name", "sha256"]
    readonly_fields = [f.name for f in RegistryImport._meta.fields] + ["decisions"]

    def has_add_permission(self, request) -> bool:
        return False  # runs are recorded by the import itself

    def has_change_permission(self, request, obj=None) -> bool:
        return False
