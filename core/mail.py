"""Every e-mail the site sends goes through ``email_queue``: the message, rendered by the
caller in the recipient's language, is recorded on a job and sent by the ``core.email_send``
task, with retries, outside the request. A mail server outage delays mail and loses none; the
request that asked for it (a checkout, an invitation) never waits for or fails on it."""

from __future__ import annotations

from collections.abc import Sequence

from core.jobs import job_start
from core.models import Job

EMAIL_TASK = "core.email_send"


def email_queue(
    *,
    subject: str,
    body: str,
    to: Sequence[str],
    from_email: str | None = None,
    user=None,
) -> Job:
    """Queue one message (sent once the current transaction commits)."""
    return job_start(
        task=EMAIL_TASK,
        arguments={
            "subject": str(subject),
            "body": str(body),
            "to": [str(address) for address in to],
            "from_email": from_email or "",
        },
        user=user,
        total=1,
    )
