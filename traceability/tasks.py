"""traceability's tasks (run by the worker)."""

from celery import shared_task

from core.jobs import JobTask
from traceability.services.prints import RENDER_TASK, stamp_run_print_render


@shared_task(base=JobTask, bind=True, name=RENDER_TASK)
def stamp_run_render(self, job_id: int) -> dict:
    """Draw a stamp run's PDF and CSV (``StampRunPrint``) into private storage."""
    from core.models import Job

    arguments = Job.objects.values_list("arguments", flat=True).get(pk=job_id)
    return stamp_run_print_render(
        job_id=job_id, print_id=arguments["print"], origin=arguments.get("origin", "")
    )
