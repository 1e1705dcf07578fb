"""Staff review of seller applications in the admin.

``SellerApplicationAdmin`` registers itself on the default admin site when this module is
imported (``sellers/admin.py`` imports it). Suspending and reinstating sellers are actions of
``BusinessAdmin`` in ``sellers/admin.py``.

Each action calls one service per selected row; a row the service refuses is reported by name
and the others still go through (each service call is its own transaction).
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sellers.errors import SellerError
from sellers.forms import RejectApplicationsForm
from sellers.models import SellerApplication
from sellers.services import (
    seller_application_approve,
    seller_application_reject,
)

REJECT_TEMPLATE = "workspace/sellers/admin/reject_applications.html"


def _run(modeladmin, request, objects, service, done_message) -> None:
    """Call ``service(obj)`` for each object and tell the user what happened to each.

    ``done_message(count)`` words the success (an ngettext call written out at each caller, so
    makemessages finds the strings)."""
    done = 0
    for obj in objects:
        try:
            service(obj)
        except SellerError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)


@admin.register(SellerApplication)
class SellerApplicationAdmin(admin.ModelAdmin):
    """Applications are what the applicant sent: staff read them and approve or reject them
    with the actions; nobody edits them here (the review is recorded by the services)."""

    list_display = (
        "business",
        "kind",
        "status",
        "applicant",
        "tax_code",
        "contact_name",
        "contact_phone",
        "created_at",
        "reviewed_by",
    )
    list_filter = ("status", "kind", "business__province")
    search_fields = ("business__name", "tax_code", "applicant__email", "contact_name")
    list_select_related = ("business", "applicant", "reviewed_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind",
        "business",
        "applicant",
        "tax_code",
        "contact_name",
        "contact_phone",
        "evidence",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "created_at",
    )
    fields = readonly_fields
    actions = ["approve_applications", "reject_applications"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The review history is evidence of who verified a seller; it is never deleted.
        return False

    @admin.action(
        description=gettext_lazy("Approve the selected applications"), permissions=["change"]
    )
    def approve_applications(self, request, queryset):
        _run(
            self,
            request,
            queryset.select_related("business", "applicant"),
            lambda application: seller_application_approve(
                application=application, reviewer=request.user
            ),
            lambda n: ngettext(
                "%(count)d application approved: the applicant owns the business now.",
                "%(count)d applications approved: the applicants own the businesses now.",
                n,
            ),
        )

    @admin.action(
        description=gettext_lazy("Reject the selected applications…"), permissions=["change"]
    )
    def reject_applications(self, request, queryset):
        """Asks for the note first (an intermediate page), then rejects every selected one."""
        form = RejectApplicationsForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            _run(
                self,
                request,
                queryset.select_related("business", "applicant"),
                lambda application: seller_application_reject(
                    application=application, reviewer=request.user, note=note
                ),
                lambda n: ngettext(
                    "%(count)d application rejected.",
                    "%(count)d applications rejected.",
                    n,
                ),
            )
            return None  # back to the change list
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject seller applications"),
            "opts": self.model._meta,
            "applications": queryset.select_related("business", "applicant"),
            "form": form,
            "action": "reject_applications",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, REJECT_TEMPLATE, context)
