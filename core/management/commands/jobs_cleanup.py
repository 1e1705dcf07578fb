"""``manage.py jobs_cleanup``: what beat's daily ``core.jobs_cleanup`` does, run by hand."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from core.jobs import jobs_cleanup


class Command(BaseCommand):
    help = (
        "Delete finished background jobs older than JOBS_KEEP_DONE_DAYS (done) or "
        "JOBS_KEEP_FAILED_DAYS (failed), with their stored files."
    )

    def handle(self, *args, **options):
        deleted = jobs_cleanup()
        self.stdout.write(
            ngettext(
                "%(count)d finished job deleted",
                "%(count)d finished jobs deleted",
                deleted["jobs_deleted"],
            )
            % {"count": deleted["jobs_deleted"]}
            + ngettext(
                ", with %(count)d file.", ", with %(count)d files.", deleted["files_deleted"]
            )
            % {"count": deleted["files_deleted"]}
        )
