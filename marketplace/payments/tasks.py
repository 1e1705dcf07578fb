"""payments' scheduled task: VietQR orders whose transfer never came are cancelled."""

import datetime

from celery import shared_task
from django.conf import settings

from core.jobs import JobTask
from marketplace.payments.services import payments_expire_unpaid


@shared_task(base=JobTask, bind=True, name="payments.expire_unpaid")
def payments_expire_unpaid_task(self, job_id: int) -> dict:
    """Idempotent: an order already cancelled is not unpaid any more."""
    hours = datetime.timedelta(hours=settings.PAYMENTS_VIETQR_HOURS)
    return {"expired": payments_expire_unpaid(older_than=hours)}
