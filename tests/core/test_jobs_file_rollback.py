"""A job file stored in a transaction that rolls back leaves nothing on disk: inside
``core.jobs.job_files_atomic`` the rollback deletes it at once (nested blocks hand their files to
the outer one); a file left by a transaction rolled back elsewhere, or a process killed
mid-way, is deleted by the daily ``jobs_cleanup`` once older than ``ORPHAN_FILES_AFTER``."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from core.jobs import ORPHAN_FILES_AFTER, job_file_store, job_files_atomic, jobs_cleanup
from core.models import Job, JobFile, JobFileRole
from core.storage import job_files_storage

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_file_stored_in_a_block_that_rolls_back_is_deleted():
    job = Job.objects.create(kind="tests.any")
    names = []
    with pytest.raises(Boom), job_files_atomic():
        stored = job_file_store(job=job, name="tem.pdf", content=b"%PDF", role=JobFileRole.OUTPUT)
        names.append(stored.file.name)
        assert job_files_storage().exists(stored.file.name)
        raise Boom
    assert not job_files_storage().exists(names[0])
    assert not JobFile.objects.filter(job=job).exists()


def test_an_outer_block_that_rolls_back_deletes_the_inner_blocks_files():
    job = Job.objects.create(kind="tests.any")
    names = []
    with pytest.raises(Boom), job_files_atomic():
        with job_files_atomic():  # committed as a savepoint, then the outer one rolls back
            names.append(job_file_store(job=job, name="a.csv", content=b"a").file.name)
        names.append(job_file_store(job=job, name="b.csv", content=b"b").file.name)
        raise Boom
    assert [job_files_storage().exists(name) for name in names] == [False, False]


def test_a_committed_block_keeps_its_files():
    job = Job.objects.create(kind="tests.any")
    with job_files_atomic():
        stored = job_file_store(job=job, name="a.csv", content=b"a")
    assert job_files_storage().exists(stored.file.name)
    assert JobFile.objects.get(job=job) == stored


def test_the_cleanup_deletes_files_whose_row_never_committed_once_old_enough():
    job = Job.objects.create(kind="tests.any")
    kept = job_file_store(job=job, name="kept.csv", content=b"k")
    with pytest.raises(Boom), transaction.atomic():  # not a job_files_atomic block
        orphan = job_file_store(job=job, name="orphan.csv", content=b"o").file.name
        raise Boom
    storage = job_files_storage()
    assert storage.exists(orphan)
    # Young: perhaps a transaction still open elsewhere.
    jobs_cleanup(now=timezone.now())
    assert storage.exists(orphan)
    later = timezone.now() + ORPHAN_FILES_AFTER + datetime.timedelta(minutes=1)
    assert jobs_cleanup(now=later)["orphans_deleted"] >= 1
    assert not storage.exists(orphan)
    assert storage.exists(kept.file.name)


def test_the_job_admin_shows_who_what_state_progress_result_error_and_the_files(client):
    """A stamp run's job in the admin: its fields, its files with download links (staff who
    may view jobs), and a job that failed for good found by the state filter with its error."""
    from django.contrib.auth.models import Permission

    from core.models import JobState
    from tests.factories import UserFactory

    owner = UserFactory(email="chu@htx.example.vn")
    done = Job.objects.create(
        kind="traceability.stamp_run_render",
        created_by=owner,
        state=JobState.DONE,
        done=70,
        total=70,
        result={"pages": 2, "stamps": 70, "pins": True},
    )
    pdf = job_file_store(job=done, name="stamps-L1-run3-PIN.pdf", content=b"%PDF", role="output")
    failed = Job.objects.create(
        kind="traceability.stamp_run_render",
        state=JobState.FAILED,
        error="Traceback …\nTraceabilityError: The PINs of this run cannot be printed again.",
    )
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(staff)
    page = client.get(f"/admin/core/job/{done.pk}/change/").content.decode()
    file_url = f"/admin/core/job/{done.pk}/files/{pdf.pk}/"
    assert f'<a href="{file_url}" download>stamps-L1-run3-PIN.pdf</a>' in page
    for shown in (str(owner), "traceability.stamp_run_render", "&quot;pins&quot;: true"):
        assert shown in page, shown
    response = client.get(file_url)
    assert response["Content-Disposition"] == 'attachment; filename="stamps-L1-run3-PIN.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF"
    assert client.get(f"/admin/core/job/{failed.pk}/files/{pdf.pk}/").status_code == 404
    listing = client.get("/admin/core/job/?state__exact=failed").content.decode()
    assert f"/admin/core/job/{failed.pk}/change/" in listing
    assert f"/admin/core/job/{done.pk}/change/" not in listing
    detail = client.get(f"/admin/core/job/{failed.pk}/change/").content.decode()
    assert "The PINs of this run cannot be printed again." in detail
    # Staff without the view permission get nothing.
    client.force_login(UserFactory(is_staff=True))
    assert client.get(file_url).status_code in (403, 404)
