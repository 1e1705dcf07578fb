"""A task for the worker tests: its work (one increment of ``Job.done``) and "done" commit in one
transaction; on its first attempt it announces itself and then hangs inside that transaction,
so the test can kill the worker mid-task."""

import os
import time
from pathlib import Path

from celery import shared_task
from django.db import transaction
from django.db.models import F

from core.jobs import JobTask, job_finish
from core.models import Job


@shared_task(base=JobTask, bind=True, name="tests.worker_counting")
def worker_counting(self, job_id: int) -> dict:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        Job.objects.filter(pk=job_id).update(done=F("done") + 1)
        marker = Path(job.arguments["marker_dir"]) / f"started-{job.attempts}"
        marker.write_text(str(os.getpid()))
        if job.attempts == 1:
            time.sleep(60)  # killed here, before the commit
        job_finish(job_id=job_id, result={"pid": os.getpid()})
    return {"pid": os.getpid()}
