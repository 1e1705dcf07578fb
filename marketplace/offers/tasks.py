"""offers' scheduled task: stock whose sellability turned with the date (a fair booth's first day
and the day after its last) announced to search and the page cache."""

from celery import shared_task
from django.utils import timezone

from core.jobs import JobTask
from marketplace.offers.services import stock_windows_turn


@shared_task(base=JobTask, bind=True, name="offers.stock_windows_turn")
def stock_windows_turn_task(self, job_id: int) -> dict:
    return {"offers": stock_windows_turn(today=timezone.localdate())}
