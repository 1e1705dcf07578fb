"""Booth fees: the amount, reference and day to pay by an assignment creates; payment by a bank
notification through the payments module's matching (once, even delivered twice or raced on
PostgreSQL), or marked paid by the organiser; the daily task that releases unpaid booths to the
waitlist in order and tells the seller in its language."""

import datetime
import hashlib
import hmac
import json
import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from marketplace.fairs.errors import FairError
from marketplace.fairs.models import ApplicationStatus, BoothAssignment, BoothStatus
from marketplace.fairs.services import (
    application_waitlist,
    booth_assign,
    booth_fee_mark_paid,
    booth_fee_terms,
    booth_fees_expire,
)
from marketplace.payments.models import BankNotification, NotificationStatus
from marketplace.payments.vietqr import tlv_fields, tlv_parse
from sellers.errors import PermissionDenied
from tests.factories_fairs import BoothFactory, FairFactory, organiser_member
from tests.fairs.helpers import applied
from tests.support.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_secret(settings):
    settings.BANK_NOTIFY_SECRET = "bank-secret"


def _notify(client, *, transaction_id: str, amount: int, note: str):
    raw = json.dumps({"transaction_id": transaction_id, "amount": amount, "note": note}).encode()
    signature = hmac.new(b"bank-secret", raw, hashlib.sha256).hexdigest()
    return client.post(
        "/payments/bank/notify/",
        raw,
        content_type="application/json",
        HTTP_X_OCOP_SIGNATURE=signature,
    )


def _assigned(*, price=1_500_000, booth_fee=2_000_000, payment_days=7, language="vi", **fair):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, booth_fee=booth_fee, payment_days=payment_days, **fair)
    application = applied(fair=fair, language=language)
    booth = BoothFactory(zone__fair=fair, code="B-12", price=price)
    return booth_assign(application=application, booth=booth, actor=user), user


# --- the terms ------------------------------------------------------------------------------


def test_an_assignment_is_due_the_booths_price_by_a_reference_of_its_own():
    assignment, _user = _assigned(price=1_500_000, payment_days=7)
    today = timezone.localdate()
    assert assignment.amount_due == 1_500_000
    assert re.fullmatch(r"GIAN[2-9A-HJKMNP-Z]{8}", assignment.reference)
    assert assignment.pay_by == today + datetime.timedelta(days=7)
    assert (assignment.fee_state, assignment.paid_at) == ("due", None)
    other, _user = _assigned()
    assert other.reference != assignment.reference


def test_a_booth_without_a_price_costs_the_fairs_fee_and_a_free_booth_needs_no_transfer():
    assignment, _user = _assigned(price=None, booth_fee=2_000_000)
    assert assignment.amount_due == 2_000_000
    # 0 đồng is a free booth, whatever the fair's fee; no fee either when the fair has none.
    for price, booth_fee in ((0, 2_000_000), (None, 0)):
        free, _user = _assigned(price=price, booth_fee=booth_fee)
        assert (free.amount_due, free.reference, free.pay_by, free.fee_state) == (
            0,
            None,
            None,
            "free",
        )
    with pytest.raises(FairError) as refused:
        booth_fee_mark_paid(assignment=free, actor=_user)
    assert refused.value.code == "free"


def test_the_fee_is_due_the_day_before_the_fair_opens_at_the_latest():
    today = datetime.date(2026, 6, 1)
    organiser, _user = organiser_member()
    fair = FairFactory(
        organiser=organiser,
        starts_on=datetime.date(2026, 6, 5),
        ends_on=datetime.date(2026, 6, 9),
        applications_close_on=datetime.date(2026, 6, 2),
        payment_days=7,
    )
    booth = BoothFactory(zone__fair=fair, price=900_000)
    assert booth_fee_terms(fair=fair, booth=booth, today=today) == (
        900_000,
        datetime.date(2026, 6, 4),
    )
    # Assigned the day the fair opens: due that day, never in the past.
    late = datetime.date(2026, 6, 5)
    assert booth_fee_terms(fair=fair, booth=booth, today=late) == (900_000, late)
    fair.starts_on, fair.ends_on = datetime.date(2026, 7, 1), datetime.date(2026, 7, 3)
    assert booth_fee_terms(fair=fair, booth=booth, today=today) == (
        900_000,
        datetime.date(2026, 6, 8),
    )


def test_the_sellers_workspace_shows_the_amount_the_reference_and_the_vietqr_code(client):
    assignment, _user = _assigned(price=1_500_000)
    seller = assignment.application.seller
    client.force_login(seller.memberships.get().user)
    page = client.get(f"/seller/{seller.slug}/hoi-cho/", HTTP_ACCEPT_LANGUAGE="en").content
    page = page.decode()
    day = assignment.pay_by.strftime("%d/%m/%Y")
    assert (
        f"Booth B-12: pay the fee of 1.500.000\u00a0₫ by {day}, or the booth is released." in page
    )
    assert f'<strong class="fee-reference">{assignment.reference}</strong>' in page
    assert page.count("<svg") == 1
    assert 'data-fee="due" data-booth="B-12"' in page


def test_the_qr_code_carries_the_marketplace_account_the_amount_and_the_reference():
    from marketplace.fairs.selectors import booth_fee_qr_svg
    from marketplace.payments.providers import vietqr_for

    assignment, _user = _assigned(price=1_500_000)
    payload = vietqr_for(amount=1_500_000, reference=assignment.reference)
    fields = tlv_parse(payload)
    assert fields["54"] == "1500000"
    assert tlv_fields(fields["62"])["08"] == assignment.reference
    assert django_settings.VIETQR_ACCOUNT in fields["38"]
    svg = booth_fee_qr_svg(assignment=assignment)
    assert svg.count("<svg") == 1 and "<path" in svg


# --- paying ---------------------------------------------------------------------------------


def test_a_matching_transfer_pays_the_fee_once_and_a_second_one_is_flagged(client, bank_secret):
    assignment, _user = _assigned(price=1_500_000)
    note = f"HTX MAT ONG {assignment.reference.lower()} gian B-12"
    response = _notify(client, transaction_id="FT-1", amount=1_500_000, note=note)
    assert response.json() == {"status": "matched"}
    assignment.refresh_from_db()
    notification = BankNotification.objects.get(transaction_id="FT-1")
    assert (assignment.fee_state, assignment.paid_notification) == ("paid", notification)
    assert (notification.payment, notification.refund_due) == (None, 0)
    paid_at = assignment.paid_at
    # The same notification again: the stored outcome, nothing paid twice.
    response = _notify(client, transaction_id="FT-1", amount=1_500_000, note=note)
    assert response.json() == {"status": "matched"}
    assert BankNotification.objects.count() == 1
    # Another transfer for the paid fee: kept and flagged for staff to give back.
    response = _notify(client, transaction_id="FT-2", amount=1_500_000, note=note)
    assert response.json() == {"status": "flagged"}
    second = BankNotification.objects.get(transaction_id="FT-2")
    assert (second.reason, second.refund_due) == ("This booth fee is already paid.", 1_500_000)
    assignment.refresh_from_db()
    assert (assignment.paid_at, assignment.paid_notification) == (paid_at, notification)


@pytest.mark.parametrize(
    "amount, note, reason",
    [
        (1_400_000, "{ref}", "Amount 1400000 differs from the 1500000 due for the booth fee."),
        (1_500_000, "GIAN22222222", "No booth fee has this reference."),
    ],
)
def test_a_transfer_with_another_amount_or_an_unknown_reference_is_flagged(
    client, bank_secret, amount, note, reason
):
    assignment, _user = _assigned(price=1_500_000)
    note = note.format(ref=assignment.reference)
    assert _notify(client, transaction_id="FT-9", amount=amount, note=note).json() == {
        "status": "flagged"
    }
    notification = BankNotification.objects.get()
    assert (notification.status, notification.reason) == (NotificationStatus.FLAGGED, reason)
    assert notification.refund_due == amount
    assignment.refresh_from_db()
    assert assignment.fee_state == "due"


def test_a_transfer_for_a_released_booth_is_flagged(client, bank_secret):
    from marketplace.fairs.services import booth_release

    assignment, user = _assigned(price=1_500_000)
    booth_release(assignment=assignment, actor=user)
    note = assignment.reference
    assert _notify(client, transaction_id="FT-3", amount=1_500_000, note=note).json() == {
        "status": "flagged"
    }
    assert BankNotification.objects.get().reason == (
        "The booth was released before the transfer arrived."
    )
    assignment.refresh_from_db()
    assert assignment.paid_at is None


def test_the_organiser_marks_a_fee_paid_by_hand_once():
    assignment, user = _assigned()
    _organiser, stranger = organiser_member()
    _same, desk_staff = organiser_member(assignment.booth.fair.organiser, role="staff")
    for refused in (stranger, desk_staff, assignment.application.seller.memberships.get().user):
        with pytest.raises(PermissionDenied):
            booth_fee_mark_paid(assignment=assignment, actor=refused)
    assignment.refresh_from_db()
    assert assignment.paid_at is None
    paid = booth_fee_mark_paid(assignment=assignment, actor=user)
    assert (paid.fee_state, paid.paid_by, paid.paid_notification) == ("paid", user, None)
    with pytest.raises(FairError) as again:
        booth_fee_mark_paid(assignment=assignment, actor=user)
    assert (again.value.code, again.value.message) == ("paid", "Phí gian hàng này đã được trả.")


# --- expiry ---------------------------------------------------------------------------------


def test_unpaid_booths_expire_to_the_waitlist_in_order_and_the_seller_is_told(
    django_capture_on_commit_callbacks,
):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, payment_days=3, booth_fee=1_000_000)
    late_vi = applied(fair=fair, language="vi", name="HTX Chậm Trả")
    late_en = applied(fair=fair, language="en", name="HTX Late Payer")
    paid = applied(fair=fair)
    waiting = [applied(fair=fair) for _ in range(3)]
    for index in (1, 2, 0):
        application_waitlist(application=waiting[index], actor=user)
    booths = [BoothFactory(zone__fair=fair, code=f"D-{n}", price=1_000_000) for n in range(3)]
    first = booth_assign(application=late_vi, booth=booths[0], actor=user)
    second = booth_assign(application=late_en, booth=booths[1], actor=user)
    third = booth_assign(application=paid, booth=booths[2], actor=user)
    booth_fee_mark_paid(assignment=third, actor=user)
    due = first.pay_by

    assert booth_fees_expire(today=due) == 0  # the last day to pay is still open
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert booth_fees_expire(today=due + datetime.timedelta(days=1)) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.expired, first.fee_state) == (True, "expired")
    assert first.released_at is not None and second.expired
    late_vi.refresh_from_db()
    assert late_vi.status == ApplicationStatus.RELEASED
    # D-0 went to the first on the waitlist, D-1 to the second, each with a fee of its own.
    given = {
        a.booth.code: a
        for a in BoothAssignment.objects.filter(released_at__isnull=True).select_related("booth")
    }
    assert given["D-0"].application == waiting[1]
    assert given["D-1"].application == waiting[2]
    assert given["D-2"] == third
    assert given["D-0"].reference not in (None, first.reference)
    assert given["D-0"].pay_by == timezone.localdate() + datetime.timedelta(days=3)
    assert {b.status for b in booths[0].fair.booths.all()} == {BoothStatus.ASSIGNED}
    subjects = {m.to[-1]: m.subject for m in mail.outbox}
    assert subjects[late_vi.seller.email] == (
        f"Gian hàng của bạn tại {fair.name} đã bị thu hồi do chưa nộp phí đúng hạn"
    )
    assert subjects[late_en.seller.email] == (
        f"Your booth at {fair.name} was released: the fee was not paid in time"
    )
    body = next(m.body for m in mail.outbox if m.to[-1] == late_en.seller.email)
    assert "was not paid by the day it was due, so the booth has been released." in body
    accepted = next(m.body for m in mail.outbox if m.to[-1] == waiting[1].seller.email)
    assert given["D-0"].reference in accepted
    # Released booths are not released again; the new assignments run from their own day.
    assert booth_fees_expire(today=given["D-0"].pay_by) == 0
    assert BoothAssignment.objects.filter(expired=True).count() == 2


def test_the_expiry_runs_daily_from_beat_as_a_job(django_capture_on_commit_callbacks):
    from core.jobs import job_start
    from core.models import JobState

    schedule = django_settings.CELERY_BEAT_SCHEDULE["fair-booth-fees-expire"]
    assert schedule["args"] == ["fairs.booth_fees_expire"]
    assignment, _user = _assigned()
    BoothAssignment.objects.filter(pk=assignment.pk).update(
        pay_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task="fairs.booth_fees_expire")
    job.refresh_from_db()
    assert (job.state, job.result) == (JobState.DONE, {"expired": 1})
    assignment.refresh_from_db()
    assert assignment.expired


# --- PostgreSQL races -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transfers_for_one_fee_at_once_pay_it_once(bank_secret):
    assignment, _user = _assigned(price=1_500_000)

    def deliver(transaction_id):
        return _notify(
            Client(), transaction_id=transaction_id, amount=1_500_000, note=assignment.reference
        ).json()["status"]

    outcomes = race([lambda: deliver("FT-A"), lambda: deliver("FT-B")])
    assert sorted(outcomes) == ["flagged", "matched"]
    assignment.refresh_from_db()
    matched = BankNotification.objects.get(status=NotificationStatus.MATCHED)
    assert assignment.paid_notification == matched
    flagged = BankNotification.objects.get(status=NotificationStatus.FLAGGED)
    assert (flagged.reason, flagged.refund_due) == ("This booth fee is already paid.", 1_500_000)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_notification_delivered_several_times_at_once_pays_once(bank_secret):
    assignment, _user = _assigned(price=1_500_000)

    def deliver():
        return _notify(
            Client(), transaction_id="FT-SAME", amount=1_500_000, note=assignment.reference
        ).json()["status"]

    assert race([deliver] * 6) == ["matched"] * 6
    assert BankNotification.objects.count() == 1
    assignment.refresh_from_db()
    assert assignment.fee_state == "paid"
