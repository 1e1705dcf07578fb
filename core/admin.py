"""Background jobs in the admin: read-only, filtered by state and kind, so a job that failed
for good shows its error here (not only in a log), and can be run again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.jobs import job_retry
from core.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "progress",
        "attempts",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["=id", "kind", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    readonly_fields = [field.name for field in Job._meta.fields]
    actions = ["run_again"]

    @admin.display(description=_("progress"))
    def progress(self, obj: Job) -> str:
        return f"{obj.done}/{obj.total}" if obj.total is not None else str(obj.done)

    def has_add_permission(self, request) -> bool:
        return False  # jobs are recorded by the work that starts them

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_run_again_permission(self, request) -> bool:
        # The rows stay read-only; running a job again (re-sending a mail) needs the change
        # permission all the same.
        return request.user.has_perm("core.change_job")

    @admin.action(description=_("Run the selected failed jobs again"), permissions=["run_again"])
    def run_again(self, request, queryset):
        started = sum(job_retry(job=job) for job in queryset)
        self.message_user(
            request,
            ngettext("%(count)d job started again.", "%(count)d jobs started again.", started)
            % {"count": started},
            messages.SUCCESS,
        )
