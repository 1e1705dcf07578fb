"""catalog's tasks (run by the worker; ``core.job_schedule`` starts the daily one from beat)."""

from celery import shared_task
from django.utils import timezone

from catalog.importer.services import registry_import_job_run
from catalog.opendata import opendata_snapshot_generate
from catalog.reminders import certificates_daily_run
from core.jobs import JobTask


@shared_task(base=JobTask, bind=True, name="catalog.certificates_daily")
def certificates_daily(self, job_id: int) -> dict:
    """Expire certificates past their validity and remind holders, each once (idempotent: a
    second run the same day finds nothing new)."""
    return certificates_daily_run(today=timezone.localdate())


@shared_task(base=JobTask, bind=True, name="catalog.opendata_generate")
def opendata_generate(self, job_id: int) -> dict:
    """Write an open-data snapshot when the published registry changed since the newest one
    (hourly from beat: at most one new file set an hour, none while nothing changes)."""
    snapshot = opendata_snapshot_generate()
    return {"snapshot": snapshot.date.isoformat() if snapshot else None}


@shared_task(base=JobTask, bind=True, name="catalog.registry_import")
def registry_import_task(self, job_id: int) -> dict:
    """A recognition list uploaded in the admin, validated and imported (all rows or none)."""
    return registry_import_job_run(job_id=job_id)
