"""A stamp run's label files drawn in the background (traceability/services/prints.py): ordering
a run starts a job that writes one PDF with every stamp and the CSV to private storage; the run
page shows its progress (refreshing itself, no JavaScript) and then the downloads, which only the
holder's owners and managers get."""

import csv
import datetime
import io
import os

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.jobs import job_progress, jobs_cleanup
from core.models import Job, JobFile, JobFileRole, JobState
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, UserFactory
from tests.factories_traceability import stamps_for, traced_product
from traceability import signing
from traceability.models import Stamp, StampRun, StampRunPrint
from traceability.services import stamp_run_print_render, stamp_run_print_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced():
    return traced_product()


def other_producer():
    holder = BusinessFactory(name="HTX Trà hoa vàng Ba Chẽ", status=SellerStatus.ACTIVE)
    return traced_product(holder=holder, lot_code="L-OTHER", name="Trà hoa vàng")


def url(name, traced, *args):
    return reverse(f"traceability_workspace:{name}", args=[traced.holder.slug, *args])


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def order(client, traced, quantity, capture, **extra):
    with capture(execute=True):
        response = client.post(
            url("stamp_run_create", traced, traced.batch.pk),
            {"quantity": str(quantity), "layout": "a4-5x13", **extra},
        )
    return response


def test_ordering_a_run_draws_one_pdf_and_the_csv_in_the_background(
    client, traced, django_capture_on_commit_callbacks
):
    owner = signed_in(client, traced.owner)
    response = order(owner, traced, 70, django_capture_on_commit_callbacks)
    run = StampRun.objects.get()
    assert response.status_code == 302
    stamp_print = StampRunPrint.objects.get(run=run)
    assert (stamp_print.layout, stamp_print.link, stamp_print.pages) == ("a4-5x13", "short", 2)
    job = Job.objects.get(pk=stamp_print.job_id)
    assert (job.kind, job.state, job.done, job.total, job.created_by) == (
        "traceability.stamp_run_render",
        JobState.DONE,
        70,
        70,
        traced.owner,
    )
    assert job.result == {"pages": 2, "stamps": 70, "pins": False}
    # The job's output files, in the private job storage (never under MEDIA_ROOT, which the
    # proxy serves to anyone).
    stem = f"stamps-L2611-A-run{run.pk}"
    files = {f.name: f for f in JobFile.objects.filter(job=job, role=JobFileRole.OUTPUT)}
    assert sorted(files) == [f"{stem}-a4-5x13.pdf", f"{stem}.csv"]
    path = files[f"{stem}.csv"].file.path
    assert path.startswith(os.path.abspath(settings.JOB_FILES_ROOT))
    assert not path.startswith(os.path.abspath(settings.MEDIA_ROOT))

    page = owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()
    pdf_url = url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf")
    csv_url = url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "csv")
    assert f'href="{pdf_url}">PDF (2 pages)</a>' in page
    assert f'href="{csv_url}"' in page
    assert 'http-equiv="refresh"' not in page

    pdf = owner.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"
    assert pdf["Content-Disposition"] == f'attachment; filename="{stem}-a4-5x13.pdf"'
    data = b"".join(pdf.streaming_content)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 2
    # The QR codes carry exactly the signed short links the stamps have always carried.
    stamps = list(Stamp.objects.filter(run=run).select_related("run").order_by("id"))
    document = pypdfium2.PdfDocument(data)
    found = sorted(
        r.text
        for index in range(2)
        for r in zxingcpp.read_barcodes(document[index].render(scale=3).to_pil())
        # Only QR codes: zxing may also "find" a linear barcode in a page of QR patterns.
        if r.format == zxingcpp.BarcodeFormat.QRCode
    )
    assert found == sorted(signing.stamp_url_short(s) for s in stamps)

    body = b"".join(owner.get(csv_url).streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["serial", "url", "gs1_digital_link", "product_name", "stars"]
    assert [row[0] for row in rows[1:]] == [s.serial for s in stamps]
    assert [row[1] for row in rows[1:]] == [signing.stamp_url_short(s) for s in stamps]


def test_the_run_page_shows_progress_and_refreshes_itself_while_drawing(client, traced):
    owner = signed_in(client, traced.owner)
    run, _stamps, _pins = stamps_for(traced, 3000)
    stamp_print = stamp_run_print_start(actor=traced.owner, run=run, layout="a4-3x8", link="gs1")
    job = stamp_print.job
    assert job.state == JobState.QUEUED  # not published: the test's transaction never commits
    job_progress(job_id=job.pk, done=1000, total=3000)
    page = owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert '<progress max="3000" value="1000">33 %</progress>' in page
    assert "Drawing: 1000 of 3000 stamps (33 %). This page refreshes by itself." in page
    assert (
        "print-file" not in page
        and ".pdf" not in page.split('id="prints-title"')[1].split("</section>")[0]
    )
    cache.clear()
    # Asking again for the same sheet answers the same print, no second job.
    again = stamp_run_print_start(actor=traced.owner, run=run, layout="a4-3x8", link="gs1")
    assert again.pk == stamp_print.pk and Job.objects.count() == 1


def test_a_failed_print_can_be_tried_again(client, traced, django_capture_on_commit_callbacks):
    owner = signed_in(client, traced.owner)
    run, _stamps, _pins = stamps_for(traced, 5)
    stamp_print = stamp_run_print_start(actor=traced.owner, run=run, layout="a4-5x13", link="short")
    Job.objects.filter(pk=stamp_print.job_id).update(state=JobState.FAILED, error="disk full")
    page = owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()
    assert "Drawing the files failed." in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            url("stamp_run_print_create", traced, run.pk), {"layout": "a4-5x13", "link": "short"}
        )
    assert response.status_code == 302
    stamp_print.refresh_from_db()
    assert stamp_print.job.state == JobState.DONE and stamp_print.pages == 1


def test_render_twice_is_harmless(traced, django_capture_on_commit_callbacks):
    run, _stamps, _pins = stamps_for(traced, 2)
    with django_capture_on_commit_callbacks(execute=True):
        stamp_print = stamp_run_print_start(
            actor=traced.owner, run=run, layout="a4-5x13", link="short"
        )
    # A second delivery of the task skips: the job is already done.
    from traceability.tasks import stamp_run_render

    assert stamp_run_render.apply(args=[stamp_print.job_id]).result is None
    assert JobFile.objects.filter(job_id=stamp_print.job_id).count() == 2


def test_a_print_whose_job_was_cleaned_up_is_drawn_again(
    client, traced, django_capture_on_commit_callbacks
):
    owner = signed_in(client, traced.owner)
    run, _stamps, _pins = stamps_for(traced, 3)
    with django_capture_on_commit_callbacks(execute=True):
        stamp_print = stamp_run_print_start(
            actor=traced.owner, run=run, layout="a4-5x13", link="short"
        )
    first_job = stamp_print.job_id
    Job.objects.filter(pk=first_job).update(
        finished_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert jobs_cleanup()["files_deleted"] == 2
    stamp_print.refresh_from_db()
    assert stamp_print.job is None
    page = owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()
    assert "Try again" in page
    response = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf"))
    assert response.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        again = stamp_run_print_start(actor=traced.owner, run=run, layout="a4-5x13", link="short")
    assert again.pk == stamp_print.pk and again.job_id not in (None, first_job)
    response = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("manager", 200), ("staff", 403), ("outsider", 404)]
)
def test_only_the_holders_owners_and_managers_download_the_files(
    client, traced, django_capture_on_commit_callbacks, who, status
):
    run, _stamps, _pins = stamps_for(traced, 2)
    with django_capture_on_commit_callbacks(execute=True):
        stamp_print = stamp_run_print_start(
            actor=traced.owner, run=run, layout="a4-5x13", link="short"
        )
    user = {
        "owner": traced.owner,
        "manager": traced.manager,
        "staff": traced.staff,
        "outsider": other_producer().owner if who == "outsider" else None,
    }[who]
    signed_in(client, user)
    for kind in ("pdf", "csv"):
        response = client.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, kind))
        assert response.status_code == status
    if who == "staff":
        response = client.post(
            url("stamp_run_print_create", traced, run.pk), {"layout": "a4-3x8", "link": "short"}
        )
        assert response.status_code == 403
        assert StampRunPrint.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, traced):
    run, _stamps, _pins = stamps_for(traced, 1)
    stamp_print = StampRunPrint.objects.create(run=run, layout="a4-5x13")
    response = client.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf"))
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_an_unknown_sheet_or_link_is_refused(traced):
    from traceability.errors import TraceabilityError

    run, _stamps, _pins = stamps_for(traced, 1)
    with pytest.raises(TraceabilityError) as error:
        stamp_run_print_start(actor=traced.owner, run=run, layout="a3-huge", link="short")
    assert error.value.field == "layout"
    with pytest.raises(TraceabilityError) as error:
        stamp_run_print_start(actor=traced.owner, run=run, layout="a4-5x13", link="nfc")
    assert error.value.field == "link"
    with pytest.raises(Exception):  # noqa: B017 -- the staff member's refusal
        stamp_run_print_start(actor=UserFactory(), run=run, layout="a4-5x13", link="short")
    assert not StampRunPrint.objects.exists()


def test_render_reports_progress_every_thousand_labels(traced, monkeypatch):
    run, _stamps, _pins = stamps_for(traced, 2500)
    stamp_print = StampRunPrint.objects.create(run=run, layout="a4-5x13")
    job = Job.objects.create(kind="traceability.stamp_run_render", total=2500)
    seen = []
    monkeypatch.setattr(
        "traceability.services.prints.job_progress",
        lambda *, job_id, done, total: seen.append((job_id, done, total)),
    )
    result = stamp_run_print_render(job_id=job.pk, print_id=stamp_print.pk)
    assert seen == [(job.pk, 1000, 2500), (job.pk, 2000, 2500)]
    assert result == {"pages": 39, "stamps": 2500, "pins": False}
    job.refresh_from_db()
    assert (job.state, job.done) == (JobState.DONE, 2500)
