"""Background jobs in the admin: read-only, filtered by state and kind, so a job that failed
for good shows its error here (not only in a log), and can be run again; the files a job read
or wrote are listed on its page with download links (staff who may view jobs)."""

from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.jobs import job_retry
from core.models import Job, JobFile


class JobFileInline(admin.TabularInline):
    model = JobFile
    extra = 0
    can_delete = False
    fields = ["download", "role", "size", "created_at"]
    readonly_fields = fields
    ordering = ["id"]

    @admin.display(description=_("file"))
    def download(self, obj: JobFile) -> str:
        url = reverse("admin:core_job_file", args=[obj.job_id, obj.pk])
        return format_html('<a href="{}" download>{}</a>', url, obj.name)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("core.view_job")  # the job's, not a permission of its own

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
    inlines = [JobFileInline]
    actions = ["run_again"]

    def get_urls(self):
        download = self.admin_site.admin_view(self.file_download)
        own = [path("<int:job_id>/files/<int:file_id>/", download, name="core_job_file")]
        return own + super().get_urls()

    def file_download(self, request, job_id: int, file_id: int):
        """One of the job's files, to staff who may view jobs (the files hold what the job
        read or made: an uploaded list, a stamp run's labels)."""
        if not self.has_view_permission(request):
            raise Http404
        stored = get_object_or_404(JobFile, pk=file_id, job_id=job_id)
        try:
            handle = stored.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=stored.name)
        response["Cache-Control"] = "private, no-store"
        return response

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
