"""Label files of a stamp run drawn in the background: one PDF with every stamp and the CSV,
for runs of any size (1–100,000), kept with their job in private storage.

``stamp_run_print_start`` records a ``StampRunPrint`` and its ``core.Job``; the worker runs
``stamp_run_print_render`` (task ``traceability.stamp_run_render``), which streams the labels from
the database into temporary files — the PDF page by page, each page compressed as it ends
(``traceability.printing.pdf``), so memory stays flat whatever the run's size — reports progress
every ``PROGRESS_EVERY`` labels and keeps both files as the job's output (``core.JobFile``, the
private job storage; deleted with the job by the daily cleanup, after which the print can be
drawn again). A run with scratch-off PINs gets them on its labels and in its CSV: the job
derives them again (``signing.pin_derive``, checked against the stored hashes), so runs with
PINs of any size get their one PDF too; only the holder's owners and managers download them.
"""

from __future__ import annotations

import logging
import re
import tempfile

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.jobs import (
    job_file_store,
    job_files_atomic,
    job_finish,
    job_progress,
    job_retry,
    job_start,
)
from core.models import Job, JobFileRole, JobState
from core.site import site_origin_bound, site_url
from traceability.errors import TraceabilityError
from traceability.models import StampRun, StampRunPrint
from traceability.printing import SHEET_LAYOUTS, stamp_csv, stamp_sheet_pdf
from traceability.printing.labels import LINKS
from traceability.selectors import stamp_run_labels, stamp_run_pins_printable
from traceability.services.batches import holder_manager_require

logger = logging.getLogger(__name__)

RENDER_TASK = "traceability.stamp_run_render"
PROGRESS_EVERY = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def stamp_run_file_stem(*, run: StampRun) -> str:
    """``stamps-<lot>-run<id>``: the name every file of the run starts with."""
    lot = _UNSAFE.sub("-", run.batch.lot_code).strip("-") or "lot"
    return f"stamps-{lot}-run{run.pk}"


def stamp_run_print_start(*, actor, run: StampRun, layout: str, link: str) -> StampRunPrint:
    """The run's files for ``layout`` and ``link``, drawn in the background (owner or manager).

    Asked again, the same print answers (its files, or its job still running); one whose job
    failed for good is run again, one whose job (and files) the daily cleanup deleted is drawn
    anew."""
    holder_manager_require(actor=actor, variant=run.batch.variant)
    if layout not in SHEET_LAYOUTS:
        raise TraceabilityError(_("Unknown label sheet."), code="invalid", field="layout")
    if link not in LINKS:
        raise TraceabilityError(_("Unknown link form."), code="invalid", field="link")
    existing = (
        StampRunPrint.objects.filter(run=run, layout=layout, link=link)
        .select_related("job")
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                existing = StampRunPrint.objects.create(run=run, layout=layout, link=link)
        except IntegrityError:
            # The same print asked for at the same moment: the other request's row answers.
            return StampRunPrint.objects.get(run=run, layout=layout, link=link)
    if existing.job is None:
        existing.job = job_start(
            task=RENDER_TASK,
            arguments={"print": existing.pk, "origin": site_url()},
            user=actor,
            total=run.quantity,
        )
        existing.save(update_fields=["job"])
    elif existing.job.state == JobState.FAILED:
        job_retry(job=existing.job)
    return existing


def stamp_run_print_render(*, job_id: int, print_id: int, origin: str = "") -> dict:
    """Draw the print's PDF and CSV and keep them as the job's output files; the files, the
    page count and "done" commit in one transaction (a second delivery of the task then finds
    the job done and skips)."""
    stamp_print = StampRunPrint.objects.select_related(
        "run__batch__variant__product", "run__batch__certificate"
    ).get(pk=print_id)
    run = stamp_print.run
    total = run.quantity
    stem = stamp_run_file_stem(run=run)
    layout = SHEET_LAYOUTS[stamp_print.layout]
    with_pins = stamp_run_pins_printable(run=run)
    if with_pins:
        stem = f"{stem}-PIN"
    suffix = f"-{stamp_print.layout}{'-gs1' if stamp_print.link == 'gs1' else ''}"
    drawn = 0

    def counted(labels):
        nonlocal drawn
        for label in labels:
            yield label
            drawn += 1
            if drawn % PROGRESS_EVERY == 0:
                # The CSV is quick beside the PDF: the PDF's labels are the progress.
                job_progress(job_id=job_id, done=drawn, total=total)

    # The QR codes link where the request that ordered the run would have (no SITE_URL in
    # development: the worker has no request of its own).
    with (
        site_origin_bound(origin),
        tempfile.TemporaryFile() as pdf_file,
        tempfile.TemporaryFile() as csv_file,
    ):
        pages = stamp_sheet_pdf(
            labels=counted(stamp_run_labels(run=run, link=stamp_print.link, derive_pins=with_pins)),
            layout=layout,
            out=pdf_file,
            title=f"{run.batch.lot_code} — {total}",
        )
        rows = stamp_csv(labels=stamp_run_labels(run=run, derive_pins=with_pins), out=csv_file)
        pdf_file.seek(0)
        csv_file.seek(0)
        job = Job.objects.get(pk=job_id)
        # A rollback here (the database gone between the files and "done") deletes the files.
        with job_files_atomic():
            job_file_store(
                job=job, name=f"{stem}{suffix}.pdf", content=pdf_file, role=JobFileRole.OUTPUT
            )
            job_file_store(job=job, name=f"{stem}.csv", content=csv_file, role=JobFileRole.OUTPUT)
            stamp_print.pages = pages
            stamp_print.save(update_fields=["pages"])
            result = {"pages": pages, "stamps": rows, "pins": with_pins}
            job_finish(job_id=job_id, result=result, done=rows)
    logger.info("Stamp run %s printed on %s: %s pages", run.pk, stamp_print.layout, pages)
    return result
