"""PIN guessing limits: per (stamp, client) and per client, so reading a stamp's code does not
let anyone lock its buyer out; a ceiling per stamp slows a guesser with many addresses without
blocking the buyer; a right PIN is not counted as a failure."""

import pytest

from core.ratelimit import FailureLimit
from tests.factories_traceability import stamps_for, traced_product
from traceability.models import Stamp
from traceability.services import PinStatus, stamp_pin_check
from traceability.services import stamps as stamp_services

pytestmark = pytest.mark.django_db

WRONG = "00000000"


@pytest.fixture
def pinned():
    traced = traced_product()
    _run, stamps, pins = stamps_for(traced, 2, with_pin=True)
    return stamps, pins


def _check(stamp, pin, client):
    return stamp_pin_check(stamp=Stamp.objects.get(pk=stamp.pk), pin=pin, client_key=client)


def test_an_attacker_cannot_lock_the_buyer_out(pinned):
    stamps, pins = pinned
    stamp = stamps[0]
    statuses = [_check(stamp, WRONG, "203.0.113.9").status for _ in range(7)]
    assert statuses == [PinStatus.WRONG] * 5 + [PinStatus.RATE_LIMITED] * 2
    blocked = _check(stamp, pins[stamp.serial], "203.0.113.9")
    assert (blocked.status, blocked.retry_after > 0) == (PinStatus.RATE_LIMITED, True)
    # The buyer, elsewhere, holding the scratched-off PIN:
    assert _check(stamp, pins[stamp.serial], "198.51.100.7").status == PinStatus.VERIFIED
    assert Stamp.objects.get(pk=stamp.pk).pin_failures == 5


def test_a_client_walking_through_stamps_is_stopped(pinned, monkeypatch):
    stamps, _pins = pinned
    monkeypatch.setattr(stamp_services, "PIN_PER_CLIENT", FailureLimit("pin-client-t", 6, 3600))
    first = [_check(stamps[0], WRONG, "c").status for _ in range(5)]
    second = [_check(stamps[1], WRONG, "c").status for _ in range(3)]
    assert first == [PinStatus.WRONG] * 5
    assert second == [PinStatus.WRONG] + [PinStatus.RATE_LIMITED] * 2
    # Another client is not affected.
    assert _check(stamps[1], WRONG, "d").status == PinStatus.WRONG


def test_right_pins_are_not_counted_against_the_client(pinned, monkeypatch):
    stamps, pins = pinned
    monkeypatch.setattr(stamp_services, "PIN_PER_CLIENT", FailureLimit("pin-client-t2", 3, 3600))
    # A shop checking many genuine items from one address: a right PIN is handed back.
    for _ in range(5):
        assert _check(stamps[0], pins[stamps[0].serial], "shop").status in (
            PinStatus.VERIFIED,
            PinStatus.ALREADY_VERIFIED,
        )
    assert _check(stamps[1], WRONG, "shop").status == PinStatus.WRONG


def test_above_the_stamp_ceiling_each_client_gets_one_try(pinned, monkeypatch):
    stamps, pins = pinned
    stamp = stamps[0]
    monkeypatch.setattr(stamp_services, "PIN_PER_STAMP", FailureLimit("pin-stamp-t", 10, 3600))
    # Many addresses, five guesses each, until the ceiling is reached.
    for n in range(2):
        for _ in range(5):
            assert _check(stamp, WRONG, f"bot-{n}").status == PinStatus.WRONG
    # Under attack: a fresh address gets one guess, not five...
    assert [_check(stamp, WRONG, "bot-9").status for _ in range(2)] == [
        PinStatus.WRONG,
        PinStatus.RATE_LIMITED,
    ]
    # ...and the buyer's first (right) try still verifies the item.
    assert _check(stamp, pins[stamp.serial], "buyer").status == PinStatus.VERIFIED
    # The other stamp is not under attack.
    assert [_check(stamps[1], WRONG, "bot-9").status for _ in range(2)] == [PinStatus.WRONG] * 2
