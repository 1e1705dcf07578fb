"""catalog's tasks (run by the worker; ``core.job_schedule`` starts the daily one from beat)."""

from celery import shared_task
from django.utils import timezone

from catalog.reminders import certificates_daily_run
from core.jobs import JobTask


@shared_task(base=JobTask, bind=True, name="catalog.certificates_daily")
def certificates_daily(self, job_id: int) -> dict:
    """Expire certificates past their validity and remind holders, each once (idempotent: a
    second run the same day finds nothing new)."""
    return certificates_daily_run(today=timezone.localdate())
