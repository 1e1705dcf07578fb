"""A real worker on Redis against the PostgreSQL test database (issue 14): a task enqueued in a
transaction that rolls back never runs; one enqueued in a committed transaction runs once even
when its worker is killed mid-task (acks_late: the message is delivered again; the job record
makes the work commit once).

Needs PostgreSQL (the worker is another process, so the data must be committed in a real
server) and Redis at 127.0.0.1:6379 (db TEST_REDIS_DB, default 1); skipped with the reason when
Redis cannot be reached."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.db import connection, transaction

from core.jobs import job_start
from core.models import Job, JobState
from tests.worker import tasks  # noqa: F401  (registers the task in this process too)

ROOT = Path(__file__).resolve().parents[2]
BROKER = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '1')}"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {BROKER} is unreachable ({type(error).__name__})")


@pytest.fixture
def queue(tmp_path):
    """A queue of this test's own on the broker, the test process publishing to it."""
    _redis_or_skip()
    name = f"test-{uuid.uuid4().hex[:12]}"
    saved = {
        key: current_app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    current_app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=name)
    _pools_forget()
    yield name
    current_app.conf.update(**saved)
    _pools_forget()


def _pools_forget() -> None:
    """The connection and producer pools are made lazily for the broker of the moment and kept:
    after an earlier test published to the in-memory broker, the kept producer pool would still
    publish there, where no worker listens. Forget both (as Celery does after a fork)."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


def _worker(queue: str) -> subprocess.Popen:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker.settings",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BROKER,
        "TEST_QUEUE": queue,
    }
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "marketplace", "worker",
            "--include", "tests.worker.tasks", "--pool", "prefork", "--concurrency", "1",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "--loglevel", "INFO", "-Q", queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: killed whole, pool child included
    )  # fmt: skip


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _wait(predicate, timeout: float = 180.0) -> bool:
    # Generous: a loaded CI machine may take a minute to start a worker; normally seconds.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_rolled_back_never_runs_and_committed_runs_once_despite_a_killed_worker(queue, tmp_path):
    arguments = {"marker_dir": str(tmp_path)}
    try:
        with transaction.atomic():
            job_start(task="tests.worker_counting", arguments={**arguments, "rolled": True})
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with transaction.atomic():
        job = job_start(task="tests.worker_counting", arguments=arguments)

    first = _worker(queue)
    try:
        # The first attempt has done its work inside an open transaction, and hangs there.
        assert _wait(lambda: (tmp_path / "started-1").exists()), "the worker never started"
    finally:
        _stop(first, signal.SIGKILL)
    job.refresh_from_db()
    assert (job.state, job.done, job.attempts) == (JobState.RUNNING, 0, 1)

    second = _worker(queue)
    try:
        assert _wait(lambda: Job.objects.filter(pk=job.pk, state=JobState.DONE).exists()), (
            "the message was not delivered again"
        )
    finally:
        _stop(second)
    job.refresh_from_db()
    # Ran twice, committed once.
    assert (job.state, job.done, job.attempts) == (JobState.DONE, 1, 2)
    assert (tmp_path / "started-2").exists()
    # Only the committed job was ever recorded, and only it ran.
    assert Job.objects.count() == 1
