"""Registry officials' view of points of sale: recognise and suspend through the services
(actions with their inputs beside the action menu); points are created by their operators in the
workspace or imported, never typed in here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from marketplace.places.importer import points_import
from marketplace.places.models import PointOfSale
from marketplace.places.services import point_recognise, point_reinstate, point_suspend


class PointActionForm(ActionForm):
    reason = forms.CharField(label=_("Suspension reason"), required=False, max_length=255)
    recognition_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    recognition_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recognition_body = forms.CharField(label=_("Issued by"), required=False, max_length=255)


class PointImportForm(forms.Form):
    file = forms.FileField(
        label=_("List of points of sale (CSV or XLSX)"),
        help_text=_(
            "Columns: tax code of the operator, name, kind, province, commune, street, "
            "address, latitude, longitude, phone, description. UTF-8 CSV separated by ; or , "
            "or an Excel .xlsx file. All rows or none are imported."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and count, write nothing"), required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class RecognisedFilter(admin.SimpleListFilter):
    title = _("recognised")
    parameter_name = "recognised"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(recognition_number="")
        if self.value() == "no":
            return queryset.filter(recognition_number="")
        return queryset


class SuspendedFilter(RecognisedFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(suspended_at__isnull=self.value() == "no")
        return queryset


def _each(model_admin, request, queryset, action, done) -> None:
    for point in queryset.select_related("location"):
        try:
            action(point)
        except DomainError as error:
            model_admin.message_user(request, f"{point.name}: {error.message}", messages.ERROR)
        else:
            model_admin.message_user(request, done(point), messages.SUCCESS)


@admin.register(PointOfSale)
class PointOfSaleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "province",
        "operator",
        "status",
        "recognition_number",
        "suspended_at",
        "is_demo",
    ]
    list_filter = [
        "kind",
        "status",
        RecognisedFilter,
        SuspendedFilter,
        "is_demo",
        "location__province",
    ]
    search_fields = ["location__name", "slug", "location__business__name", "legacy_address"]
    list_select_related = ["location__province", "location__business"]
    action_form = PointActionForm
    actions = ["recognise", "suspend", "reinstate"]
    readonly_fields = [field.name for field in PointOfSale._meta.concrete_fields] + [
        "displayed_products"
    ]

    change_list_template = "places/admin_change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # operators create points in the workspace; officials import lists

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="places_pointofsale_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """All-or-nothing import with a row report (``places.importer``)."""
        if not (request.user.is_staff and request.user.has_perm("places.change_pointofsale")):
            raise PermissionDenied
        report = None
        form = PointImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = points_import(
                source=upload.file, file_name=upload.name, dry_run=form.cleaned_data["dry_run"]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import points of sale"),
            "form": form,
            "report": report,
            "changelist_url": reverse("admin:places_pointofsale_changelist"),
        }
        return TemplateResponse(request, "places/admin_import.html", context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # suspend instead: stock and orders point at the place

    @admin.display(description=_("province"), ordering="location__province__code")
    def province(self, obj: PointOfSale):
        return obj.location.province

    @admin.display(description=_("operator"), ordering="location__business__name")
    def operator(self, obj: PointOfSale):
        return obj.location.business

    @admin.action(description=_("Recognise as an OCOP introduction-and-sales point"))
    def recognise(self, request, queryset):
        form = PointActionForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        _each(
            self,
            request,
            queryset,
            lambda point: point_recognise(
                actor=request.user,
                point=point,
                number=data.get("recognition_number", ""),
                date=data.get("recognition_date"),
                body=data.get("recognition_body", ""),
            ),
            lambda point: _("%(name)s recognised.") % {"name": point.name},
        )

    @admin.action(description=_("Suspend (hide from buyers)"))
    def suspend(self, request, queryset):
        reason = request.POST.get("reason", "")
        _each(
            self,
            request,
            queryset,
            lambda point: point_suspend(actor=request.user, point=point, reason=reason),
            lambda point: _("%(name)s suspended.") % {"name": point.name},
        )

    @admin.action(description=_("Reinstate"))
    def reinstate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda point: point_reinstate(actor=request.user, point=point),
            lambda point: _("%(name)s reinstated.") % {"name": point.name},
        )
