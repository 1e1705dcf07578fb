"""Files kept with background jobs (core.JobFile), the job page's pieces and the daily cleanup
of finished jobs with their files (core.jobs.jobs_cleanup)."""

import datetime
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.jobs import (
    job_file_get,
    job_file_store,
    job_progress,
    job_readable,
    job_status,
    jobs_cleanup,
)
from core.models import Job, JobFile, JobFileRole, JobState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.UTC)


def finished(state: str, days_ago: int, *, with_file: bool = True) -> Job:
    job = Job.objects.create(
        kind="tests.any", state=state, finished_at=NOW - datetime.timedelta(days=days_ago)
    )
    if with_file:
        job_file_store(job=job, name="danh sách.csv", content=b"STT;Ten\n")
    return job


def counts(result: dict) -> dict:
    """The jobs and files a cleanup deleted (orphans: test_jobs_file_rollback.py — the job
    storage is shared by the session's tests, so their count is not this test's alone)."""
    return {key: result[key] for key in ("jobs_deleted", "files_deleted")}


def test_a_file_is_kept_privately_with_its_job():
    job = Job.objects.create(kind="tests.any")
    stored = job_file_store(job=job, name="../../Danh sách QĐ 3981.csv", content=BytesIO(b"abc"))
    output = job_file_store(job=job, name="tem.pdf", content=b"%PDF", role=JobFileRole.OUTPUT)
    path = Path(stored.file.path)
    assert path.is_relative_to(Path(settings.JOB_FILES_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert stored.file.name == f"{job.pk}/input/Danh_sách_QĐ_3981.csv"
    assert (stored.name, stored.size, path.read_bytes()) == (
        "../../Danh sách QĐ 3981.csv",
        3,
        b"abc",
    )
    assert job_file_get(job=job) == stored
    assert job_file_get(job=job, role=JobFileRole.OUTPUT) == output
    assert job_file_get(job=job, role=JobFileRole.OUTPUT, name="other.csv") is None


def test_cleanup_deletes_old_finished_jobs_and_their_files_only():
    old_done = finished(JobState.DONE, 31)
    kept_done = finished(JobState.DONE, 29)
    old_failed = finished(JobState.FAILED, 91)
    kept_failed = finished(JobState.FAILED, 60)
    running = Job.objects.create(
        kind="tests.any", state=JobState.RUNNING, created_at=NOW - datetime.timedelta(days=400)
    )
    queued = Job.objects.create(
        kind="tests.any", state=JobState.QUEUED, created_at=NOW - datetime.timedelta(days=400)
    )
    gone_paths = [Path(f.file.path) for f in JobFile.objects.filter(job__in=[old_done, old_failed])]
    kept_paths = [
        Path(f.file.path) for f in JobFile.objects.filter(job__in=[kept_done, kept_failed])
    ]

    assert counts(jobs_cleanup(now=NOW)) == {"jobs_deleted": 2, "files_deleted": 2}

    assert set(Job.objects.values_list("id", flat=True)) == {
        kept_done.pk,
        kept_failed.pk,
        running.pk,
        queued.pk,
    }
    assert [p.exists() for p in gone_paths] == [False, False]
    assert [p.exists() for p in kept_paths] == [True, True]
    assert JobFile.objects.count() == 2
    # Idempotent: a second run finds nothing.
    assert counts(jobs_cleanup(now=NOW)) == {"jobs_deleted": 0, "files_deleted": 0}


def test_cleanup_follows_the_retention_settings(settings):
    settings.JOBS_KEEP_DONE_DAYS = 7
    settings.JOBS_KEEP_FAILED_DAYS = 7
    finished(JobState.DONE, 8, with_file=False)
    finished(JobState.FAILED, 8, with_file=False)
    finished(JobState.DONE, 6, with_file=False)
    assert counts(jobs_cleanup(now=NOW)) == {"jobs_deleted": 2, "files_deleted": 0}


def test_cleanup_runs_from_beat_as_a_job_and_from_the_command(django_capture_on_commit_callbacks):
    from core.jobs import job_start

    assert settings.CELERY_BEAT_SCHEDULE["jobs-cleanup"]["args"] == ["core.jobs_cleanup"]
    old = finished(JobState.DONE, 400)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task="core.jobs_cleanup")
    job.refresh_from_db()
    assert (job.state, counts(job.result)) == (
        JobState.DONE,
        {"jobs_deleted": 1, "files_deleted": 1},
    )
    assert not Job.objects.filter(pk=old.pk).exists()

    finished(JobState.FAILED, 400)
    out = StringIO()
    with translation.override("en"):
        call_command("jobs_cleanup", stdout=out)
    assert out.getvalue() == "1 finished job deleted, with 1 file.\n"


def test_who_may_read_a_job():
    starter = UserFactory(username="starter")
    job = Job.objects.create(kind="tests.any", created_by=starter)
    other = UserFactory(username="other")
    staff = UserFactory(username="staff-no-perm", is_staff=True)
    allowed = UserFactory(username="staff-perm", is_staff=True)
    allowed.user_permissions.add(Permission.objects.get(codename="add_certificate"))
    not_staff = UserFactory(username="perm-no-staff")
    not_staff.user_permissions.add(Permission.objects.get(codename="add_certificate"))
    perm = "catalog.add_certificate"
    assert job_readable(job=job, user=starter, permission=perm)
    assert job_readable(job=job, user=allowed, permission=perm)
    assert not job_readable(job=job, user=other, permission=perm)
    assert not job_readable(job=job, user=staff, permission=perm)
    assert not job_readable(job=job, user=not_staff, permission=perm)


def test_status_and_its_template_refresh_until_the_job_ends():
    job = Job.objects.create(kind="tests.any", state=JobState.RUNNING, total=200)
    job_progress(job_id=job.pk, done=50, total=200, errors=3)
    with translation.override("en"):
        status = job_status(job=job)
        assert status == {
            "id": job.pk,
            "kind": "tests.any",
            "state": "running",
            "state_label": "running",
            "finished": False,
            "failed": False,
            "progress": {"done": 50, "total": 200, "errors": 3},
            "percent": 25,
            "result": None,
        }
        head = render_to_string("core/includes/job_refresh.html", {"status": status})
        body = render_to_string("core/includes/job_status.html", {"status": status})
    assert '<meta http-equiv="refresh" content="2">' in head
    assert "50 of 200" in body
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, finished_at=timezone.now(), result={"ok": True}
    )
    job.refresh_from_db()
    status = job_status(job=job)
    assert (status["finished"], status["result"]) == (True, {"ok": True})
    assert "refresh" not in render_to_string("core/includes/job_refresh.html", {"status": status})
