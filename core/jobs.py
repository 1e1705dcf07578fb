"""Background jobs: a ``core.Job`` row for each piece of work, and the Celery task class that
runs it (``JobTask``).

- ``job_start`` records the job (kind = the task's name, who, the request id) and publishes the
  task only once the caller's transaction commits, so work enqueued in a transaction that rolls
  back never runs. A broker that cannot be reached leaves the job ``queued``: ``jobs_requeue``
  (on beat's schedule) publishes it again later, so nothing is lost.
- ``JobTask`` runs a task whose first argument is the job id: a job already ``done`` or
  ``failed`` is skipped (a message delivered twice, a worker killed after the work committed),
  the state, attempts and progress are written on the row, the request id that started the job
  is bound while it runs (log lines, the ``X-Request-ID`` header of e-mails). Errors that may
  pass (network, mail server, database connection) are retried with exponential backoff;
  a job that fails for good is ``failed`` with its error, visible in the admin.
- Files a job reads or writes are ``JobFile`` rows in the private job storage
  (``job_file_store``); who may see a job and its files: ``job_readable``; what its page shows:
  ``job_status`` (the template ``core/includes/job_status.html`` renders it and refreshes the
  page until the job ends). ``jobs_cleanup`` (daily) deletes finished jobs past their retention
  with their files.
- Delivery is at least once (acks_late, a worker lost re-delivers): work that writes to the
  database marks the job done in the same transaction (``job_finish``) so a second run finds it
  done; work outside the database (an e-mail) may repeat if the worker dies between sending and
  recording.
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery import current_app
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.models import Job, JobFile, JobFileRole, JobState
from core.request_log import current_request_id, request_id_bound
from core.storage import job_files_storage

logger = logging.getLogger("marketplace.jobs")

# Failures that may pass by themselves: sockets and timeouts (smtplib's errors are OSErrors),
# a dropped database connection. Anything else is a bug or bad input: retrying cannot help.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, OperationalError, InterfaceError)
FINISHED = (JobState.DONE, JobState.FAILED)
# A queued job older than this with no run started is published again by ``jobs_requeue``.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
_PROGRESS_KEY = "core.jobs.progress.{}"


class JobTask(DjangoTask):
    """Base class of every task that runs a ``core.Job`` (first positional argument: its id)."""

    acks_late = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 30  # seconds before the first retry, doubled each time
    retry_backoff_max = 3600
    retry_jitter = True
    max_retries = 8

    def __call__(self, job_id: int, *args: Any, **kwargs: Any) -> Any:
        job = Job.objects.filter(pk=job_id).only("state", "request_id").first()
        if job is None:
            logger.warning("job %s: no such job, task %s skipped", job_id, self.name)
            return None
        if job.state in FINISHED:
            # A second delivery of the same message: the work is already recorded.
            logger.info("job %s already %s, task %s skipped", job_id, job.state, self.name)
            return None
        request_id = job.request_id or getattr(self.request, "request_id", None)
        with request_id_bound(request_id):
            Job.objects.filter(pk=job_id).update(
                state=JobState.RUNNING,
                attempts=F("attempts") + 1,
                started_at=timezone.now(),
            )
            try:
                result = super().__call__(job_id, *args, **kwargs)
            except Retry as retry:
                _job_record_error(job_id=job_id, state=JobState.RETRYING, error=retry.exc)
                logger.warning("job %s (%s) will be retried: %r", job_id, self.name, retry.exc)
                raise
            except Exception as error:
                _job_record_error(job_id=job_id, state=JobState.FAILED, error=error)
                logger.exception("job %s (%s) failed", job_id, self.name)
                raise
            job_finish(job_id=job_id, result=result if isinstance(result, dict) else None)
            return result


def _job_record_error(*, job_id: int, state: str, error: BaseException | None) -> None:
    text = "".join(traceback.format_exception(error)) if error is not None else ""
    changes: dict[str, Any] = {"state": state, "error": text[-20_000:]}
    if state == JobState.FAILED:
        changes.update(finished_at=timezone.now(), **_job_final_counts(job_id=job_id))
    # Never over a job the work itself marked done (an error after its commit).
    Job.objects.filter(pk=job_id).exclude(state=JobState.DONE).update(**changes)


def job_start(
    *,
    task: str,
    arguments: dict | None = None,
    user=None,
    total: int | None = None,
) -> Job:
    """Record a job for the registered task named ``task`` and publish it once the current
    transaction commits (at once outside a transaction)."""
    job = Job.objects.create(
        kind=task,
        arguments=arguments or {},
        created_by=user if user is not None and user.is_authenticated else None,
        total=total,
        request_id=current_request_id() or "",
    )
    transaction.on_commit(lambda: job_publish(job=job))
    return job


def job_publish(*, job: Job) -> bool:
    """Hand the job's task to the broker (or run it, in eager mode); False when the broker
    could not be reached (logged; the job stays queued for ``jobs_requeue``)."""
    try:
        task = _registered_task(job.kind)
        task.apply_async(args=[job.pk], headers={"request_id": job.request_id})
    except Exception:
        logger.exception("job %s (%s) could not be published; it stays queued", job.pk, job.kind)
        return False
    return True


def _registered_task(name: str):
    app = current_app
    if name not in app.tasks:
        # Web processes never start a worker, which is what imports every app's tasks module
        # (autodiscovery is lazy); do it on the first publish instead (force: only the imports,
        # not the worker's start-up signals, which would set up Django again).
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


def job_finish(*, job_id: int, result: dict | None = None, done: int | None = None) -> None:
    """Mark the job done (``done``: the final count the job page shows). Work that writes to the
    database calls it inside its own transaction, so the work and "done" commit together and a
    second delivery skips both."""
    changes: dict[str, Any] = {
        "state": JobState.DONE,
        "finished_at": timezone.now(),
        "error": "",
        **_job_final_counts(job_id=job_id),
    }
    if result is not None:
        changes["result"] = result
    if done is not None:
        changes["done"] = done
    Job.objects.filter(pk=job_id).exclude(state__in=FINISHED).update(**changes)
    cache.delete(_PROGRESS_KEY.format(job_id))


def _job_final_counts(*, job_id: int) -> dict[str, int]:
    """``done`` (and ``total`` when known) as the job's last progress report left them: what
    every end of a job — done, or failed for good — writes on the row, since the report lives
    in the cache only while the job runs."""
    progress = cache.get(_PROGRESS_KEY.format(job_id)) or {}
    counts = {}
    if progress.get("done") is not None:
        counts["done"] = progress["done"]
    if progress.get("total") is not None:
        counts["total"] = progress["total"]
    return counts


def job_progress(*, job_id: int, done: int, total: int | None = None, **extra: Any) -> None:
    """Progress of a running job. Kept in the cache, not the row: the work usually runs inside
    one transaction, whose writes nobody else can see until it ends."""
    cache.set(
        _PROGRESS_KEY.format(job_id),
        {"done": done, "total": total, **extra},
        timeout=24 * 3600,
    )


def job_progress_read(*, job: Job) -> dict[str, Any]:
    """What the job page shows: the last progress reported, else what the row holds."""
    if job.state not in FINISHED:
        progress = cache.get(_PROGRESS_KEY.format(job.pk))
        if progress:
            return progress
    return {"done": job.done, "total": job.total}


def job_retry(*, job: Job) -> bool:
    """Run a failed job again (the admin's action): its attempts start over."""
    updated = Job.objects.filter(pk=job.pk, state=JobState.FAILED).update(
        state=JobState.QUEUED, error="", finished_at=None
    )
    if updated:
        job.refresh_from_db()
        transaction.on_commit(lambda: job_publish(job=job))
    return bool(updated)


def jobs_requeue(*, now: datetime.datetime | None = None) -> int:
    """Publish again the jobs still queued long after they were recorded (the broker was down
    when they were started). A job whose message was only slow runs once anyway: the second
    delivery finds it done."""
    now = now or timezone.now()
    stale = list(Job.objects.filter(state=JobState.QUEUED, created_at__lt=now - REQUEUE_AFTER))
    return sum(job_publish(job=job) for job in stale)


# Storage names of the files ``job_file_store`` wrote inside the innermost ``job_files_atomic``
# block (None outside one).
_FILES_IN_TRANSACTION: ContextVar[list[str] | None] = ContextVar("job_files", default=None)
# Files in the job storage with no ``JobFile`` row (their transaction rolled back outside a
# ``job_files_atomic`` block, or the process died) are deleted by ``jobs_cleanup`` once older
# than this: younger ones may belong to a transaction still open.
ORPHAN_FILES_AFTER = datetime.timedelta(days=1)


@contextmanager
def job_files_atomic() -> Iterator[None]:
    """``transaction.atomic()`` for work that stores job files: the files written inside
    (``job_file_store``) are deleted again if the block rolls back, so a row that never
    commits leaves no file behind. Nested in another such block, the files are handed up to it
    (the outer transaction may still roll back); a transaction that rolls back outside any
    block, or a process killed mid-way, leaves files that ``jobs_cleanup`` deletes later."""
    written: list[str] = []
    outer = _FILES_IN_TRANSACTION.get()
    token = _FILES_IN_TRANSACTION.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _files_delete(written)
        raise
    finally:
        _FILES_IN_TRANSACTION.reset(token)
    if outer is not None:
        outer.extend(written)


def _files_delete(names: list[str]) -> None:
    storage = job_files_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # the rollback's own error matters more than this one
            logger.exception("job file %s could not be deleted after a rollback", name)


def job_file_store(
    *, job: Job, name: str, content: bytes | Any, role: str = JobFileRole.INPUT
) -> JobFile:
    """Keep a file with the job in the private job storage: what it reads (``role="input"``,
    an uploaded list) or what it made (``"output"``, a rendered PDF). ``content`` is bytes or
    a file object (an upload, an open file; copied in chunks, not read whole). The file is
    written at once; called inside ``job_files_atomic``, a rollback deletes it again (outside
    one, ``jobs_cleanup`` deletes a file whose row never committed)."""
    payload = ContentFile(content) if isinstance(content, bytes) else File(content)
    record = JobFile(job=job, role=role, name=name[:255])
    record.file.save(_safe_file_name(name), payload, save=False)
    try:
        record.size = record.file.size
        record.save()
    except BaseException:
        _files_delete([record.file.name])
        raise
    pending = _FILES_IN_TRANSACTION.get()
    if pending is not None:
        pending.append(record.file.name)
    return record


def _safe_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        return get_valid_filename(base)[:120] or "file"
    except SuspiciousFileOperation:  # nothing usable left of the name
        return "file"


def job_file_get(
    *, job: Job, role: str = JobFileRole.INPUT, name: str | None = None
) -> JobFile | None:
    """The job's first file of ``role`` (and ``name`` when given), or None."""
    files = JobFile.objects.filter(job=job, role=role)
    if name is not None:
        files = files.filter(name=name)
    return files.order_by("id").first()


def job_readable(*, job: Job, user, permission: str | tuple[str, ...]) -> bool:
    """Who may look at a job's page and files: the person who started it, and staff holding
    ``permission`` (the one the work itself needs, e.g. the import's; a tuple: all of them)."""
    if user is None or not user.is_authenticated:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    needed = (permission,) if isinstance(permission, str) else permission
    return bool(user.is_staff and user.has_perms(needed))


def job_status(*, job: Job) -> dict[str, Any]:
    """A job's state as a page or a JSON poll shows it: state, whether it ended, the progress
    reported so far (``done``, ``total`` and what the work adds, e.g. ``errors``) and, once
    done, its result. The error text (a traceback) is for the admin, not in here."""
    progress = job_progress_read(job=job)
    total = progress.get("total")
    done = progress.get("done") or 0
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_label": str(JobState(job.state).label),
        "finished": job.state in FINISHED,
        "failed": job.state == JobState.FAILED,
        "progress": progress,
        "percent": min(100, int(done * 100 / total)) if total else None,
        "result": job.result if job.state == JobState.DONE else None,
    }


def jobs_cleanup(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete finished jobs older than the retention settings (``JOBS_KEEP_DONE_DAYS`` for
    done, ``JOBS_KEEP_FAILED_DAYS`` for failed; by when they finished) with their stored files.
    Queued, running and retrying jobs are never touched. Idempotent; daily from beat."""
    now = now or timezone.now()
    expired = Job.objects.filter(
        state=JobState.DONE,
        finished_at__lt=now - datetime.timedelta(days=settings.JOBS_KEEP_DONE_DAYS),
    ) | Job.objects.filter(
        state=JobState.FAILED,
        finished_at__lt=now - datetime.timedelta(days=settings.JOBS_KEEP_FAILED_DAYS),
    )
    jobs = files = 0
    while True:
        # In slices, so a first cleanup after months of mail jobs stays a few bounded queries.
        ids = list(expired.order_by("id").values_list("id", flat=True)[:1000])
        if not ids:
            break
        for stored in JobFile.objects.filter(job_id__in=ids).only("id", "file"):
            # The file first: a row left without its file is harmless, a file without a row
            # would never be found again.
            stored.file.delete(save=False)
            files += 1
        jobs += len(ids)
        Job.objects.filter(id__in=ids).delete()
    return {
        "jobs_deleted": jobs,
        "files_deleted": files,
        "orphans_deleted": job_files_orphans_delete(now=now),
    }


def job_files_orphans_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete the files in the job storage that no ``JobFile`` row names, older than
    ``ORPHAN_FILES_AFTER`` (a transaction rolled back outside ``job_files_atomic``, a process
    killed between writing a file and committing its row). Storage layout: ``<job>/<role>/…``."""
    now = now or timezone.now()
    storage = job_files_storage()
    if not storage.exists(""):
        return 0
    deleted = 0
    job_dirs, _files = storage.listdir("")
    for job_dir in job_dirs:
        known = set(
            JobFile.objects.filter(file__startswith=f"{job_dir}/").values_list("file", flat=True)
        )
        role_dirs, _loose = storage.listdir(job_dir)
        for role_dir in role_dirs:
            for file_name in storage.listdir(f"{job_dir}/{role_dir}")[1]:
                name = f"{job_dir}/{role_dir}/{file_name}"
                if name in known or storage.get_modified_time(name) > now - ORPHAN_FILES_AFTER:
                    continue
                storage.delete(name)
                deleted += 1
    return deleted
