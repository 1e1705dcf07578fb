"""core's tasks: sending an e-mail, and the housekeeping on beat's schedule."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMessage
from django.core.management import call_command

from core.jobs import JobTask, job_start, jobs_cleanup, jobs_requeue
from core.models import Job
from core.request_log import REQUEST_ID_HEADER


@shared_task(base=JobTask, bind=True, name="core.email_send", max_retries=12)
def email_send(self, job_id: int) -> dict:
    """Send the e-mail recorded on the job. A mail server that is down or slow raises an
    OSError: retried with backoff (12 tries, about 7 hours), then visible as failed in the
    admin, from where it can be sent again — the message itself is kept on the job."""
    job = Job.objects.get(pk=job_id)
    message = job.arguments
    headers = {REQUEST_ID_HEADER: job.request_id} if job.request_id else {}
    email = EmailMessage(
        subject=message["subject"],
        body=message["body"],
        from_email=message.get("from_email") or None,
        to=message["to"],
        headers=headers,
    )
    email.send()
    return {"recipients": len(message["to"])}


@shared_task(name="core.jobs_requeue", acks_late=True)
def jobs_requeue_task() -> int:
    """Publish again the jobs the broker never took (it was down when they were started)."""
    return jobs_requeue()


@shared_task(name="core.job_schedule", acks_late=True)
def job_schedule(task: str) -> int:
    """Beat's entry point for scheduled work: record a job for ``task`` and publish it, so each
    daily run is visible in the admin like any other job."""
    return job_start(task=task).pk


@shared_task(base=JobTask, bind=True, name="core.sessions_clear")
def sessions_clear(self, job_id: int) -> dict:
    """Delete expired sessions (Django's ``clearsessions``), daily."""
    call_command("clearsessions")
    return {}


@shared_task(base=JobTask, bind=True, name="core.jobs_cleanup")
def jobs_cleanup_task(self, job_id: int) -> dict:
    """Delete finished jobs past their retention, with their files (daily)."""
    return jobs_cleanup()
