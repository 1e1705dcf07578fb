"""Concurrent PIN checks on PostgreSQL: of many simultaneous correct checks exactly one
verifies the item; the others learn it was already verified. Concurrent scans lose no count."""

import threading
import uuid

import pytest
from django.db import connections

from tests.factories_traceability import stamps_for, traced_product
from traceability.models import Scan, Stamp, StampRun
from traceability.services import PinStatus, stamp_pin_check, stamp_run_order, stamp_scan_record

THREADS = 12


def _in_threads(work):
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_correct_pins_verify_exactly_once():
    traced = traced_product()
    _run, (stamp, *_), pins = stamps_for(traced, 1, with_pin=True)
    pin = pins[stamp.serial]

    def check(index):
        # Each thread loads its own copy, as concurrent requests would.
        return stamp_pin_check(
            stamp=Stamp.objects.get(pk=stamp.pk), pin=pin, client_key=f"client-{index}"
        )

    results = _in_threads(check)
    statuses = sorted(r.status for r in results)
    assert statuses.count(PinStatus.VERIFIED) == 1
    assert statuses.count(PinStatus.ALREADY_VERIFIED) == THREADS - 1
    verified_at = Stamp.objects.get(pk=stamp.pk).pin_verified_at
    winner = next(r for r in results if r.status == PinStatus.VERIFIED)
    assert winner.verified_at == verified_at
    assert all(r.verified_at == verified_at for r in results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_scans_lose_no_count():
    traced = traced_product()
    _run, (stamp, *_), _pins = stamps_for(traced, 1)

    def scan(_index):
        return stamp_scan_record(stamp=Stamp.objects.get(pk=stamp.pk), verdict="genuine")

    _in_threads(scan)
    stamp.refresh_from_db()
    assert stamp.scan_count == Scan.objects.filter(stamp=stamp).count() == THREADS
    assert stamp.first_scanned_at == Scan.objects.order_by("scanned_at").first().scanned_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_wrong_pins_get_no_sixth_guess():
    traced = traced_product()
    _run, (stamp, *_), pins = stamps_for(traced, 1, with_pin=True)

    def guess(_index):
        return stamp_pin_check(
            stamp=Stamp.objects.get(pk=stamp.pk), pin="00000000", client_key="203.0.113.9"
        )

    statuses = [r.status for r in _in_threads(guess)]
    assert statuses.count(PinStatus.WRONG) == 5
    assert statuses.count(PinStatus.RATE_LIMITED) == THREADS - 5
    stamp.refresh_from_db()
    assert (stamp.pin_failures, stamp.pin_verified_at) == (5, None)
    # The attacker's block is its own: the buyer's right PIN still verifies.
    buyer = stamp_pin_check(stamp=stamp, pin=pins[stamp.serial], client_key="198.51.100.7")
    assert buyer.status == PinStatus.VERIFIED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_stamp_order_form_sent_at_once_from_many_tabs_orders_one_run():
    traced = traced_product()
    submission = uuid.uuid4()

    def order(index):
        return stamp_run_order(
            actor=traced.owner,
            batch=traced.batch,
            quantity=50,
            with_pin=False,
            submission=submission,
        )

    results = _in_threads(order)
    (run,) = StampRun.objects.all()
    assert {r.run.pk for r in results} == {run.pk}
    assert sorted(r.repeated for r in results) == [False] + [True] * (THREADS - 1)
    assert Stamp.objects.filter(run=run).count() == 50
