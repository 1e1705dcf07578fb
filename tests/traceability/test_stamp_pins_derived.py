"""Scratch-off PINs derived from ``STAMP_PIN_KEY`` (signing.pin_derive): the database keeps only
their hashes, yet the background job that draws a run's one PDF and CSV prints them again — so
a run with PINs of any size gets its files, and every PIN printed verifies (stamp_pin_check,
unchanged). Runs whose PINs do not derive (ordered before, or under another key) print none."""

import csv
import io
import uuid

import pytest

from core.models import Job, JobFile, JobFileRole, JobState
from tests.factories_traceability import stamps_for, traced_product
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import Stamp, StampRunPrint
from traceability.selectors import stamp_run_labels, stamp_run_pins_printable
from traceability.services import (
    PinStatus,
    stamp_pin_check,
    stamp_run_order,
    stamp_run_print_render,
    stamp_run_print_start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced():
    return traced_product()


def test_a_derived_pin_has_eight_digits_and_depends_on_run_serial_and_key(settings):
    settings.STAMP_PIN_KEY = "pin-key-one-0123456789"
    pin = signing.pin_derive(run_id=7, serial="ABCDEFGHIJKLM")
    assert len(pin) == 8 and pin.isdigit()
    assert signing.pin_derive(run_id=7, serial="ABCDEFGHIJKLM") == pin
    others = {
        signing.pin_derive(run_id=8, serial="ABCDEFGHIJKLM"),
        signing.pin_derive(run_id=7, serial="ABCDEFGHIJKLN"),
    }
    settings.STAMP_PIN_KEY = "pin-key-two-0123456789"
    others.add(signing.pin_derive(run_id=7, serial="ABCDEFGHIJKLM"))
    assert pin not in others and len(others) == 3


def test_the_run_returns_the_derived_pins_and_stores_only_their_hashes(traced):
    run, stamps, pins = stamps_for(traced, 5, with_pin=True)
    assert pins == {s.serial: signing.pin_derive(run_id=run.pk, serial=s.serial) for s in stamps}
    for stamp in stamps:
        assert pins[stamp.serial] not in stamp.pin_hash
        assert stamp.pin_hash == signing.pin_hash(serial=stamp.serial, pin=pins[stamp.serial])


def test_a_changed_pin_key_keeps_pins_verifying_but_stops_printing_them(traced, settings):
    settings.STAMP_PIN_KEY = "pin-key-one-0123456789"
    run, stamps, pins = stamps_for(traced, 2, with_pin=True)
    assert stamp_run_pins_printable(run=run) is True
    settings.STAMP_PIN_KEY = "pin-key-two-0123456789"
    assert stamp_run_pins_printable(run=run) is False
    result = stamp_pin_check(stamp=stamps[0], pin=pins[stamps[0].serial], client_key="c1")
    assert result.status == PinStatus.VERIFIED
    # Asked to print them anyway, the labels refuse rather than print PINs that never verify.
    with pytest.raises(TraceabilityError):
        list(stamp_run_labels(run=run, derive_pins=True))


def test_a_run_whose_pins_were_drawn_at_random_prints_without_them(traced):
    run, stamps, _pins = stamps_for(traced, 3, with_pin=True)
    for stamp in stamps:  # as runs ordered before PINs were derived
        Stamp.objects.filter(pk=stamp.pk).update(
            pin_hash=signing.pin_hash(serial=stamp.serial, pin="12345678")
        )
    stamp_print = stamp_run_print_start(actor=traced.owner, run=run, layout="a4-5x13", link="short")
    result = stamp_run_print_render(job_id=stamp_print.job_id, print_id=stamp_print.pk)
    assert result == {"pages": 1, "stamps": 3, "pins": False}
    stored = JobFile.objects.get(job_id=stamp_print.job_id, name__endswith=".csv")
    assert stored.name == f"stamps-L2611-A-run{run.pk}.csv"
    header = stored.file.open("rb").read().decode("utf-8-sig").splitlines()[0]
    assert header == "serial,url,gs1_digital_link,product_name,stars"


def test_a_12000_stamp_pin_run_renders_in_the_background_and_its_printed_pins_verify(
    traced, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the 10,000 stamps the ordering response once packed PINs into: the job draws them.
    The PDF drawer is replaced by one that records what it was given (the real drawing of PINs
    is the workspace test's, on 30 stamps); the CSV is the real one."""
    drawn = {}

    def fake_pdf(*, labels, layout, out, title=""):
        count = 0
        for label in labels:
            if count % 3000 == 0:
                drawn[label.serial] = label.pin
            count += 1
        out.write(b"%PDF-1.7\n%%EOF\n")
        return -(-count // layout.labels_per_page)

    monkeypatch.setattr("traceability.services.prints.stamp_sheet_pdf", fake_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        order = stamp_run_order(
            actor=traced.owner,
            batch=traced.batch,
            quantity=12_000,
            with_pin=True,
            submission=uuid.uuid4(),
            layout="a4-5x13",
        )
    run = order.run
    stamp_print = StampRunPrint.objects.select_related("job").get(run=run)
    job = stamp_print.job
    assert (job.state, job.done, job.total, job.created_by) == (
        JobState.DONE,
        12_000,
        12_000,
        traced.owner,
    )
    assert job.result == {"pages": 185, "stamps": 12_000, "pins": True}
    files = {f.name: f for f in JobFile.objects.filter(job=job, role=JobFileRole.OUTPUT)}
    stem = f"stamps-L2611-A-run{run.pk}-PIN"
    assert sorted(files) == [f"{stem}-a4-5x13.pdf", f"{stem}.csv"]

    assert len(drawn) == 4 and all(pin and len(pin) == 8 for pin in drawn.values())
    with files[f"{stem}.csv"].file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 12_000
    in_csv = {row["serial"]: row["pin"] for row in rows}
    for serial, pin in drawn.items():
        assert in_csv[serial] == pin  # the PDF and the CSV print the same PIN
        stamp = Stamp.objects.get(serial=serial)
        result = stamp_pin_check(stamp=stamp, pin=pin, client_key=f"buyer-{serial}")
        assert result.status == PinStatus.VERIFIED, serial
    # A wrong PIN still fails: the check is unchanged.
    last = rows[-1]
    wrong = f"{(int(last['pin']) + 1) % 10**8:08d}"
    stamp = Stamp.objects.get(serial=last["serial"])
    assert stamp_pin_check(stamp=stamp, pin=wrong, client_key="x").status == PinStatus.WRONG
    assert Job.objects.filter(state=JobState.FAILED).count() == 0
