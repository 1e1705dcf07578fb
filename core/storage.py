"""Where the files of background jobs live (``STORAGES["jobs"]``, ``core.JobFile``)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property


class JobFileStorage(FileSystemStorage):
    """A private directory (``JOB_FILES_ROOT``), never under the public MEDIA_ROOT and with no
    URL: files are handed out by views that check the person asking."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.JOB_FILES_ROOT)

    @cached_property
    def base_url(self):
        return None


def job_files_storage():
    """The storage of ``JobFile.file`` (a callable, so another backend is a settings change)."""
    return storages["jobs"]
