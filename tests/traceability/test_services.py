"""Services: batches, provenance events and corrections, stamp runs, PIN checks — through their
public signatures, with permission refusals that change nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalog.models import RevocationGround
from core.uploads import UploadRejected
from sellers.errors import PermissionDenied
from sellers.models import MembershipRole, SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    ResaleAuthorizationFactory,
    StockLocationFactory,
    UserFactory,
    revoke_certificate,
)
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import Batch, ProvenanceEvent, Stamp, StampRun
from traceability.selectors import batch_timeline, stamp_verify
from traceability.services import (
    PinStatus,
    batch_create,
    provenance_event_correct,
    provenance_event_record,
    stamp_pin_check,
    stamp_run_create,
    stamp_run_void,
)

pytestmark = pytest.mark.django_db

PRODUCED = datetime.date(2026, 11, 1)


@pytest.fixture
def traced():
    return traced_product()


def _batch(traced, actor, **kwargs):
    values = {
        "actor": actor,
        "variant": traced.variant,
        "lot_code": "L2611-B",
        "produced_on": PRODUCED,
        "quantity": 200,
    }
    values.update(kwargs)
    return batch_create(**values)


# --- batches -------------------------------------------------------------------------------------


def test_batch_records_the_certificate_in_force_when_produced(traced):
    batch = _batch(traced, traced.manager, expires_on=datetime.date(2027, 11, 1))
    assert batch.certificate == traced.certificate
    assert batch.created_by == traced.manager
    assert (batch.lot_code, batch.quantity) == ("L2611-B", 200)


def test_batch_produced_before_certification_has_no_certificate(traced):
    # The certificate is valid from the decision date, 5 Aug 2026.
    batch = _batch(traced, traced.owner, produced_on=datetime.date(2026, 8, 4))
    assert batch.certificate is None


def test_batch_produced_after_revocation_has_no_certificate(traced):
    revoke_certificate(
        certificate=traced.certificate,
        ground=RevocationGround.MARK_MISUSE,
        now=timezone.make_aware(datetime.datetime(2026, 11, 10, 9)),
    )
    after = _batch(traced, traced.owner, produced_on=datetime.date(2026, 11, 12))
    before = _batch(
        traced, traced.owner, lot_code="L-BEFORE", produced_on=datetime.date(2026, 11, 9)
    )
    assert after.certificate is None
    assert before.certificate == traced.certificate


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"lot_code": ""}, "lot_code", "required"),
        ({"lot_code": "L 26"}, "lot_code", "invalid"),
        ({"lot_code": "L/26"}, "lot_code", "invalid"),
        ({"lot_code": "Lô26"}, "lot_code", "invalid"),
        ({"lot_code": "X" * 21}, "lot_code", "invalid"),
        ({"lot_code": "L2611-A"}, "lot_code", "duplicate"),
        ({"produced_on": datetime.date(2099, 1, 1)}, "produced_on", "out_of_range"),
        ({"expires_on": datetime.date(2026, 10, 31)}, "expires_on", "out_of_range"),
        ({"quantity": 0}, "quantity", "out_of_range"),
        ({"quantity": "12"}, "quantity", "invalid"),
        ({"origin_commune": "x" * 256}, "origin_commune", "too_long"),
    ],
)
def test_batch_input_is_checked(traced, kwargs, field, code):
    before = Batch.objects.count()
    with pytest.raises(TraceabilityError) as caught:
        _batch(traced, traced.owner, **kwargs)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert Batch.objects.count() == before


def test_lot_codes_take_the_gs1_characters(traced):
    lot = "A-1.2_3%(x)*+,:;<=>?"
    assert len(lot) == 20
    assert _batch(traced, traced.owner, lot_code=lot).lot_code == lot
    assert _batch(traced, traced.owner, lot_code="!'\"&b").lot_code == "!'\"&b"


@pytest.mark.parametrize("who", ["anonymous", "buyer", "staff", "other_owner", "site_staff"])
def test_batch_create_is_for_the_holders_owner_and_manager(traced, who):
    actor = {
        "anonymous": None,
        "buyer": UserFactory(),
        "staff": traced.staff,
        "other_owner": MembershipFactory(
            business=BusinessFactory(status=SellerStatus.ACTIVE), role=MembershipRole.OWNER
        ).user,
        "site_staff": UserFactory(is_staff=True, is_superuser=True),
    }[who]
    with pytest.raises(PermissionDenied):
        _batch(traced, actor)
    assert Batch.objects.count() == 1


# --- provenance events ---------------------------------------------------------------------------


def test_event_is_recorded_with_its_offset_and_place(traced):
    moment = datetime.datetime(
        2026, 11, 2, 6, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7))
    )
    event = provenance_event_record(
        actor=traced.staff,
        business=traced.holder,
        batch=traced.batch,
        business_step="harvesting",
        event_time=moment,
        latitude="21.3333333",
        longitude=107.4,
        note="  Thu hoạch   mật ong  ",
        disposition="in_progress",
    )
    event.refresh_from_db()
    assert event.event_timezone == "+07:00"
    assert event.event_time == moment
    assert (event.latitude, event.longitude) == (Decimal("21.333333"), Decimal("107.400000"))
    assert event.note == "Thu hoạch mật ong"
    assert event.recorded_by == traced.staff
    assert event.record_time is not None


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"business_step": "dancing"}, "business_step", "invalid"),
        ({"disposition": "happy"}, "disposition", "invalid"),
        ({"event_type": "party"}, "event_type", "invalid"),
        ({"event_time": datetime.datetime(2026, 11, 2, 6, 30)}, "event_time", "invalid"),
        ({"event_time": timezone.now() + datetime.timedelta(days=1)}, "event_time", "out_of_range"),
        ({"event_timezone": "+7"}, "event_timezone", "invalid"),
        ({"latitude": 91, "longitude": 100, "address": ""}, "latitude", "out_of_range"),
        ({"latitude": 20, "longitude": -181, "address": ""}, "longitude", "out_of_range"),
        ({"latitude": 20, "address": ""}, "longitude", "required"),
        ({"latitude": "north", "longitude": 1}, "latitude", "invalid"),
        ({"address": ""}, "address", "required"),
        ({"note": "x" * 2001}, "note", "too_long"),
    ],
)
def test_event_input_is_checked(traced, kwargs, field, code):
    values = {
        "actor": traced.owner,
        "business": traced.holder,
        "batch": traced.batch,
        "business_step": "packing",
        "event_time": timezone.now() - datetime.timedelta(hours=1),
        "address": "Xưởng đóng gói, xã Đồng Rui",
    }
    values.update(kwargs)
    with pytest.raises(TraceabilityError) as caught:
        provenance_event_record(**values)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert ProvenanceEvent.objects.count() == 0


def test_event_location_must_be_the_recording_business(traced):
    foreign = StockLocationFactory(kind="point_of_sale")
    with pytest.raises(TraceabilityError) as caught:
        event_for(traced, step="receiving", location=foreign)
    assert caught.value.field == "location"
    own = StockLocationFactory(business=traced.holder, kind="point_of_sale")
    assert event_for(traced, step="receiving", location=own, address="").location == own


def test_an_authorised_reseller_records_receiving_at_its_shop(traced):
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    clerk = MembershipFactory(business=shop, role=MembershipRole.STAFF).user
    location = StockLocationFactory(business=shop, kind="point_of_sale")
    event = provenance_event_record(
        actor=clerk,
        business=shop,
        batch=traced.batch,
        business_step="receiving",
        event_time=timezone.now(),
        location=location,
    )
    assert event.location == location


@pytest.mark.parametrize("who", ["anonymous", "buyer", "unauthorised_shop", "not_a_member"])
def test_events_are_refused_to_others(traced, who):
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    actor, business = {
        "anonymous": (None, traced.holder),
        "buyer": (UserFactory(), traced.holder),
        "unauthorised_shop": (
            MembershipFactory(business=shop, role=MembershipRole.OWNER).user,
            shop,
        ),
        "not_a_member": (
            MembershipFactory(business=shop, role=MembershipRole.OWNER).user,
            traced.holder,
        ),
    }[who]
    with pytest.raises(PermissionDenied):
        provenance_event_record(
            actor=actor,
            business=business,
            batch=traced.batch,
            business_step="receiving",
            event_time=timezone.now(),
            address="Chợ Hạ Long",
        )
    assert ProvenanceEvent.objects.count() == 0


def _png(width=64, height=48) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 150, 20)).save(buffer, format="PNG")
    return SimpleUploadedFile("thu-hoach.png", buffer.getvalue(), content_type="image/png")


def test_event_photo_is_re_encoded(traced, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = event_for(traced, photo=_png())
    assert event.photo.name.startswith(f"provenance/{traced.batch.pk}/")
    assert not event.photo.name.endswith(".png")
    assert (event.photo_width, event.photo_height) == (64, 48)
    assert (tmp_path / event.photo.name).exists()


def test_a_bad_photo_records_nothing(traced, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(UploadRejected) as caught:
        event_for(traced, photo=bad)
    assert caught.value.field == "image"
    assert ProvenanceEvent.objects.count() == 0
    assert not any(tmp_path.rglob("*.*"))


def test_corrections_are_appended_and_the_original_is_kept(traced):
    original = event_for(traced, step="packing", note="500 hũ")
    correction = provenance_event_correct(
        actor=traced.manager,
        business=traced.holder,
        event=original,
        business_step="packing",
        event_time=original.event_time,
        address=original.address,
        note="480 hũ",
    )
    original.refresh_from_db()
    assert original.note == "500 hũ"  # never edited
    assert correction.corrects == original
    timeline = batch_timeline(batch=traced.batch)
    assert [(e.event.pk, e.is_corrected) for e in timeline] == [
        (original.pk, True),
        (correction.pk, False),
    ]
    assert timeline[0].corrected_by == correction
    # Only the latest version can be corrected.
    with pytest.raises(TraceabilityError) as caught:
        provenance_event_correct(
            actor=traced.owner,
            business=traced.holder,
            event=original,
            business_step="packing",
            event_time=original.event_time,
            address=original.address,
        )
    assert caught.value.code == "conflict"
    assert ProvenanceEvent.objects.count() == 2


def test_corrections_follow_the_same_permissions(traced):
    original = event_for(traced)
    with pytest.raises(PermissionDenied):
        provenance_event_correct(
            actor=UserFactory(),
            business=traced.holder,
            event=original,
            business_step="harvesting",
            event_time=original.event_time,
            address="x",
        )
    assert ProvenanceEvent.objects.count() == 1


def test_an_authorised_reseller_cannot_correct_the_producers_event_only_its_own(traced):
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    clerk = MembershipFactory(business=shop, role=MembershipRole.OWNER).user
    producers = event_for(traced, step="packing", note="500 hũ")
    assert producers.business == traced.holder
    with pytest.raises(PermissionDenied):
        provenance_event_correct(
            actor=clerk,
            business=shop,
            event=producers,
            business_step="packing",
            event_time=producers.event_time,
            address=producers.address,
            note="5 hũ",
        )
    assert ProvenanceEvent.objects.count() == 1
    assert not batch_timeline(batch=traced.batch)[0].is_corrected
    own = provenance_event_record(
        actor=clerk,
        business=shop,
        batch=traced.batch,
        business_step="receiving",
        event_time=timezone.now(),
        address="Cửa hàng OCOP Hạ Long",
    )
    assert own.business == shop
    fixed = provenance_event_correct(
        actor=clerk,
        business=shop,
        event=own,
        business_step="receiving",
        event_time=own.event_time,
        address="Cửa hàng OCOP Hạ Long, quầy 2",
    )
    assert (fixed.corrects, fixed.business) == (own, shop)
    # Nor may the producer rewrite what the shop recorded.
    with pytest.raises(PermissionDenied):
        provenance_event_correct(
            actor=traced.manager,
            business=traced.holder,
            event=fixed,
            business_step="receiving",
            event_time=own.event_time,
            address="x",
        )


# --- stamp runs ----------------------------------------------------------------------------------


def test_stamp_run_without_pins(traced, settings):
    settings.STAMP_SIGNING_KEYS = "K:current-key-0123456789abcdef,A:old-key-0123456789abcdef"
    run, pins = stamp_run_create(actor=traced.manager, batch=traced.batch, quantity=12)
    assert pins == {}
    assert (run.quantity, run.key_id, run.with_pin, run.created_by) == (
        12,
        "K",
        False,
        traced.manager,
    )
    stamps = list(run.stamps.all())
    assert len(stamps) == 12 and len({s.serial for s in stamps}) == 12
    assert all(s.pin_hash is None and s.scan_count == 0 for s in stamps)
    code = signing.stamp_code(stamps[0])
    assert code[13] == "K"
    assert stamp_verify(code=code).verdict == "genuine"


def test_stamp_run_with_pins_returns_them_once_and_stores_hashes(traced):
    run, pins = stamp_run_create(
        actor=traced.owner, batch=traced.batch, quantity=7000, with_pin=True
    )
    stamps = {s.serial: s for s in Stamp.objects.filter(run=run)}
    assert set(pins) == set(stamps) and len(stamps) == 7000  # two chunks
    assert all(len(pin) == 8 and pin.isdigit() for pin in pins.values())
    serial, pin = next(iter(pins.items()))
    assert stamps[serial].pin_hash == signing.pin_hash(serial=serial, pin=pin)
    assert pin not in stamps[serial].pin_hash


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "out_of_range"), (100_001, "out_of_range"), (1.5, "invalid"), (True, "invalid")],
)
def test_stamp_run_quantity_is_1_to_100000(traced, quantity, code):
    with pytest.raises(TraceabilityError) as caught:
        stamp_run_create(actor=traced.owner, batch=traced.batch, quantity=quantity)
    assert (caught.value.field, caught.value.code) == ("quantity", code)
    assert StampRun.objects.count() == 0


@pytest.mark.parametrize("who", ["anonymous", "buyer", "staff", "other_owner"])
def test_stamp_runs_are_ordered_by_owner_or_manager_only(traced, who):
    actor = {
        "anonymous": None,
        "buyer": UserFactory(),
        "staff": traced.staff,
        "other_owner": MembershipFactory(
            business=BusinessFactory(status=SellerStatus.ACTIVE), role=MembershipRole.OWNER
        ).user,
    }[who]
    with pytest.raises(PermissionDenied):
        stamp_run_create(actor=actor, batch=traced.batch, quantity=5)
    assert (StampRun.objects.count(), Stamp.objects.count()) == (0, 0)


def test_voided_run_makes_its_stamps_suspicious(traced):
    run, stamps, _pins = stamps_for(traced, 2)
    with pytest.raises(PermissionDenied):
        stamp_run_void(actor=traced.staff, run=run, reason="Mất cuộn tem")
    stamp_run_void(actor=traced.owner, run=run, reason="Mất cuộn tem")
    verdict = stamp_verify(code=signing.stamp_code(stamps[0]))
    assert verdict.verdict == "suspicious"
    assert [a.code for a in verdict.anomalies] == ["run_void"]
    with pytest.raises(TraceabilityError):
        stamp_run_void(actor=traced.owner, run=run, reason="again")


# --- PIN checks ----------------------------------------------------------------------------------


@pytest.fixture
def pinned(traced):
    _run, stamps, pins = stamps_for(traced, 2, with_pin=True)
    return stamps[0], pins[stamps[0].serial]


def test_first_correct_pin_verifies_later_ones_say_when(pinned):
    stamp, pin = pinned
    first_at = timezone.now() - datetime.timedelta(days=2)
    first = stamp_pin_check(stamp=stamp, pin=pin, now=first_at)
    assert (first.status, first.verified_at) == (PinStatus.VERIFIED, first_at)
    again = stamp_pin_check(stamp=Stamp.objects.get(pk=stamp.pk), pin=f" {pin[:4]} {pin[4:]} ")
    assert (again.status, again.verified_at) == (PinStatus.ALREADY_VERIFIED, first_at)
    assert Stamp.objects.get(pk=stamp.pk).pin_verified_at == first_at


def test_wrong_pins_are_counted_then_rate_limited(pinned):
    stamp, pin = pinned
    wrong = "00000000" if pin != "00000000" else "11111111"
    for attempt in range(1, 6):
        assert stamp_pin_check(stamp=stamp, pin=wrong, client_key="c1").status == PinStatus.WRONG
        assert Stamp.objects.get(pk=stamp.pk).pin_failures == attempt
    # Blocked now, even with the right PIN — but only that client: another one (the buyer)
    # is not locked out by whoever read the code.
    blocked = stamp_pin_check(stamp=stamp, pin=pin, client_key="c1")
    assert blocked.status == PinStatus.RATE_LIMITED and blocked.retry_after > 0
    assert Stamp.objects.get(pk=stamp.pk).pin_verified_at is None
    buyer = stamp_pin_check(stamp=Stamp.objects.get(pk=stamp.pk), pin=pin, client_key="c2")
    assert buyer.status == PinStatus.VERIFIED


def test_one_client_guessing_many_stamps_is_limited(traced):
    _run, stamps, pins = stamps_for(traced, 5, with_pin=True)
    wrong = {s.serial: f"{(int(pins[s.serial]) + 1) % 10**8:08d}" for s in stamps}
    results = [
        stamp_pin_check(stamp=s, pin=wrong[s.serial], client_key="walker").status
        for s in stamps
        for _ in range(4)
    ]
    assert results == [PinStatus.WRONG] * 20
    right = stamp_pin_check(stamp=stamps[0], pin=pins[stamps[0].serial], client_key="walker")
    assert right.status == PinStatus.RATE_LIMITED


def test_stamp_without_pin(traced):
    _run, stamps, _pins = stamps_for(traced, 1)
    assert stamp_pin_check(stamp=stamps[0], pin="12345678").status == PinStatus.NO_PIN


def test_a_serial_collision_retries_the_chunk(traced, monkeypatch):
    _run, (existing, *_), _pins = stamps_for(traced, 1)
    fresh = iter(["CCCCCCCCCCCCC", "DDDDDDDDDDDDD", "EEEEEEEEEEEEE"])
    first = iter([existing.serial, "BBBBBBBBBBBBB"])
    monkeypatch.setattr(signing, "serial_new", lambda: next(first, None) or next(fresh))
    run, _pins = stamp_run_create(actor=traced.owner, batch=traced.batch, quantity=2)
    serials = sorted(run.stamps.values_list("serial", flat=True))
    assert existing.serial not in serials and len(serials) == 2
    assert Stamp.objects.count() == 3


def test_a_utc_event_time_gets_the_sites_offset_and_an_explicit_offset_is_kept(traced):
    utc = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)
    assert event_for(traced, event_time=utc).event_timezone == "+07:00"
    paris = datetime.datetime(
        2026, 11, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert event_for(traced, event_time=paris, event_timezone=None).event_timezone == "+01:00"
