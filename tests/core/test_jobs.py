"""Background jobs (core.jobs) in eager mode, as development and the suite run them: published
only when the transaction commits, recorded with their state, retried on errors that may pass,
visible in the admin when they fail for good, and carrying the request id that started them."""

import datetime

import pytest
from celery import shared_task
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core.jobs import (
    JobTask,
    job_finish,
    job_progress,
    job_progress_read,
    job_publish,
    job_start,
    jobs_requeue,
)
from core.mail import email_queue
from core.models import Job, JobState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ran: list[int] = []


@shared_task(base=JobTask, bind=True, name="tests.job_counting")
def counting(self, job_id: int) -> dict:
    ran.append(job_id)
    return {"runs": len(ran)}


@shared_task(base=JobTask, bind=True, name="tests.job_broken")
def broken(self, job_id: int) -> None:
    raise ValueError("row 3: no such province")


@shared_task(base=JobTask, bind=True, name="tests.job_counting_rows")
def counting_rows(self, job_id: int) -> dict:
    for done in (10, 20, 25):
        job_progress(job_id=job_id, done=done, total=25)
    return {"rows": 25}


@shared_task(base=JobTask, bind=True, name="tests.job_broken_midway")
def broken_midway(self, job_id: int) -> None:
    job_progress(job_id=job_id, done=12, total=30)
    raise ValueError("row 13: no such province")


class _FlakyBackend:
    """Refuses the first two messages as a mail server that is down would."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= 2:
            raise ConnectionRefusedError("connection refused")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture(autouse=True)
def _clean():
    ran.clear()
    _FlakyBackend.calls = 0


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_queue(subject="Xin chào", body="…", to=["lan@example.vn"])
                raise RuntimeError("the order failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert Job.objects.count() == 0


def test_a_committed_job_runs_once_and_records_its_result(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task="tests.job_counting", total=1)
        assert ran == []  # not before the commit
    job.refresh_from_db()
    assert ran == [job.pk]
    assert job.state == JobState.DONE
    assert job.result == {"runs": 1}
    assert job.attempts == 1
    assert job.started_at is not None and job.finished_at >= job.started_at
    # A second delivery of the same message finds the job done and does nothing.
    job_publish(job=job)
    assert ran == [job.pk]
    job.refresh_from_db()
    assert job.attempts == 1


def test_work_that_marks_itself_done_keeps_its_result(django_capture_on_commit_callbacks):
    job = Job.objects.create(kind="tests.job_counting")
    job_finish(job_id=job.pk, result={"written": 7})
    job_publish(job=job)
    job.refresh_from_db()
    assert ran == []
    assert (job.state, job.result) == (JobState.DONE, {"written": 7})


def test_a_bad_input_fails_at_once_and_shows_its_error():
    job = Job.objects.create(kind="tests.job_broken")
    job_publish(job=job)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.attempts == 1
    assert job.error.strip().endswith("ValueError: row 3: no such province")
    assert job.finished_at is not None


def test_every_end_of_a_job_writes_its_last_progress_on_the_row():
    finished = Job.objects.create(kind="tests.job_counting_rows")
    failed = Job.objects.create(kind="tests.job_broken_midway")
    for job in (finished, failed):
        job_publish(job=job)
        job.refresh_from_db()
    assert (finished.state, finished.done, finished.total) == (JobState.DONE, 25, 25)
    assert (failed.state, failed.done, failed.total) == (JobState.FAILED, 12, 30)
    assert failed.finished_at is not None
    # The job page reads the row once the job has ended.
    assert job_progress_read(job=finished) == {"done": 25, "total": 25}
    assert job_progress_read(job=failed) == {"done": 12, "total": 30}


def test_a_mail_server_outage_is_retried_and_the_mail_sent(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_jobs._FlakyBackend"
    with django_capture_on_commit_callbacks(execute=True):
        job = email_queue(subject="Đơn hàng", body="Cảm ơn", to=["lan@example.vn"])
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 3, "")
    assert [(m.subject, m.to) for m in mail.outbox] == [("Đơn hàng", ["lan@example.vn"])]


def test_the_request_id_goes_to_the_job_and_the_email(django_capture_on_commit_callbacks):
    UserFactory(email="hoa@example.vn", username="hoa@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/tai-khoan/quen-mat-khau/",
            {"email": "hoa@example.vn"},
            HTTP_X_REQUEST_ID="req-2026-abc",
        )
    assert response["X-Request-ID"] == "req-2026-abc"
    (job,) = Job.objects.all()
    assert (job.kind, job.request_id, job.state) == ("core.email_send", "req-2026-abc", "done")
    (message,) = mail.outbox
    assert message.extra_headers["X-Request-ID"] == "req-2026-abc"
    assert message.message()["X-Request-ID"] == "req-2026-abc"


def test_jobs_the_broker_never_took_are_published_again():
    now = timezone.now()
    stale = Job.objects.create(
        kind="tests.job_counting", created_at=now - datetime.timedelta(hours=1)
    )
    Job.objects.create(kind="tests.job_counting", created_at=now)  # still fresh
    Job.objects.create(
        kind="tests.job_counting",
        state=JobState.DONE,
        created_at=now - datetime.timedelta(hours=1),
    )
    assert jobs_requeue(now=now) == 1
    assert ran == [stale.pk]


def test_admin_lists_jobs_read_only_and_runs_failed_ones_again(
    admin_client, django_capture_on_commit_callbacks
):
    failed = Job.objects.create(
        kind="tests.job_counting", state=JobState.FAILED, error="TimeoutError: timed out"
    )
    done = Job.objects.create(kind="tests.job_counting", state=JobState.DONE)
    page = admin_client.get("/admin/core/job/?state__exact=failed")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]
    detail = admin_client.get(f"/admin/core/job/{failed.pk}/change/").content.decode()
    assert "TimeoutError: timed out" in detail
    assert admin_client.get("/admin/core/job/add/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/core/job/",
            {"action": "run_again", "_selected_action": [failed.pk, done.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == JobState.DONE
    assert ran == [failed.pk]


def test_staff_who_may_only_view_jobs_cannot_run_them_again(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(staff)
    failed = Job.objects.create(kind="tests.job_counting", state=JobState.FAILED)
    assert client.get("/admin/core/job/").status_code == 200
    response = client.post(
        "/admin/core/job/", {"action": "run_again", "_selected_action": [failed.pk]}
    )
    assert response.status_code in (200, 302)
    failed.refresh_from_db()
    assert failed.state == JobState.FAILED
    assert ran == []
