"""Staff: approve organisers; look after fairs, zones, booths and applications. Status changes
go through the services (the life cycle and the assignment rules apply to staff too)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from marketplace.fairs.errors import FairError
from marketplace.fairs.models import (
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    Organiser,
    OrganiserMembership,
    ProgrammeItem,
    Zone,
)
from marketplace.fairs.services import fair_venue_settle, organiser_approve


class OrganiserMembershipInline(admin.TabularInline):
    model = OrganiserMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organiser)
class OrganiserAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "approved_at", "is_demo"]
    list_filter = ["kind", ("approved_at", admin.EmptyFieldListFilter), "is_demo"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["approved_at", "approved_by"]
    inlines = [OrganiserMembershipInline]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected organisers"))
    def approve(self, request, queryset):
        for organiser in queryset:
            organiser_approve(organiser=organiser, actor=request.user)
        self.message_user(request, _("Organisers approved."), messages.SUCCESS)


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0


class ProgrammeInline(admin.StackedInline):
    model = ProgrammeItem
    extra = 0
    autocomplete_fields = ["certificates"]


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    list_display = ["name", "organiser", "province", "starts_on", "ends_on", "status", "is_demo"]
    list_filter = ["status", "province", "is_demo"]
    search_fields = ["name", "venue_address"]
    list_select_related = ["organiser", "province"]
    # The status moves only through fair_transition (cancelling e-mails every exhibitor).
    readonly_fields = ["status", "cancellation_reason"]
    # Only fair and exhibition centres are offered (the field's limit_choices_to).
    autocomplete_fields = ["venue_point"]
    inlines = [ZoneInline, ProgrammeInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class VenueForm(form):
            def _post_clean(self):
                super()._post_clean()
                try:
                    fair_venue_settle(fair=self.instance)
                except FairError as error:
                    self.add_error(error.field, error.message)

        return VenueForm


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["code", "fair", "zone", "area_m2", "price", "status", "held_for"]
    list_filter = ["status", "fair"]
    search_fields = ["code", "fair__name"]
    list_select_related = ["fair", "zone"]
    readonly_fields = ["status"]


@admin.register(ExhibitorApplication)
class ExhibitorApplicationAdmin(admin.ModelAdmin):
    list_display = ["seller", "fair", "status", "booths_wanted", "submitted_at"]
    list_filter = ["status", "fair"]
    search_fields = ["seller__name", "fair__name"]
    list_select_related = ["seller", "fair"]
    readonly_fields = ["status", "rejection_reason", "waitlisted_at", "language"]
    autocomplete_fields = ["seller"]
    filter_horizontal = ["offers"]


@admin.register(BoothAssignment)
class BoothAssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "booth",
        "application",
        "amount_due",
        "reference",
        "pay_by",
        "paid_at",
        "assigned_at",
        "released_at",
        "expired",
    ]
    list_select_related = ["booth", "application__seller"]
    search_fields = ["reference", "booth__code", "application__seller__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
