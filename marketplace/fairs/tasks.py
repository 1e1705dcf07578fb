"""fairs' scheduled task: booth fees not paid by their day release the booth."""

from celery import shared_task

from core.jobs import JobTask
from marketplace.fairs.services import booth_fees_expire


@shared_task(base=JobTask, bind=True, name="fairs.booth_fees_expire")
def booth_fees_expire_task(self, job_id: int) -> dict:
    """Daily. Idempotent: a released assignment is not overdue any more."""
    return {"expired": booth_fees_expire()}
