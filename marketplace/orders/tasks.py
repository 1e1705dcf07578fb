"""orders' scheduled task: expired stock holds deleted (they already count for nothing)."""

from celery import shared_task

from core.jobs import JobTask
from marketplace.orders.services import reservations_expire


@shared_task(base=JobTask, bind=True, name="orders.reservations_expire")
def reservations_expire_task(self, job_id: int) -> dict:
    return {"deleted": reservations_expire()}
