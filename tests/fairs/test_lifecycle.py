"""The fair's life cycle and the organiser's permission (marketplace.fairs.services)."""

import datetime

import pytest
from django.core import mail

from marketplace.fairs.errors import FairError
from marketplace.fairs.models import ApplicationStatus, FairStatus
from marketplace.fairs.services import (
    TRANSITIONS,
    fair_create,
    fair_transition,
    fair_update,
    organiser_approve,
)
from sellers.errors import PermissionDenied
from tests.factories import UserFactory, province
from tests.factories_fairs import FairFactory, OrganiserFactory, organiser_member
from tests.fairs.helpers import applied

pytestmark = pytest.mark.django_db

HAPPY_PATH = [
    FairStatus.PUBLISHED,
    FairStatus.APPLICATIONS_OPEN,
    FairStatus.APPLICATIONS_CLOSED,
    FairStatus.RUNNING,
    FairStatus.FINISHED,
]


def test_a_fair_goes_from_draft_to_finished_one_step_at_a_time():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.DRAFT)
    for status in HAPPY_PATH:
        fair = fair_transition(fair=fair, to=status, actor=user)
        assert fair.status == status
    fair.refresh_from_db()
    assert fair.status == FairStatus.FINISHED


@pytest.mark.parametrize(
    "current,to",
    [
        (current, to)
        for current in FairStatus.values
        for to in FairStatus.values
        if to not in TRANSITIONS[current]
    ],
)
def test_every_transition_outside_the_life_cycle_is_refused(current, to):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=current)
    with pytest.raises(FairError) as refused:
        fair_transition(fair=fair, to=to, actor=user, reason="Bão")
    assert refused.value.code == "invalid_transition"
    fair.refresh_from_db()
    assert fair.status == current


def test_a_festival_without_applications_may_run_straight_after_publication():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.PUBLISHED)
    assert fair_transition(fair=fair, to=FairStatus.RUNNING, actor=user).status == "running"


def test_a_fair_without_dates_cannot_be_published():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.DRAFT, starts_on=None, ends_on=None,
                       applications_close_on=None)  # fmt: skip
    with pytest.raises(FairError) as refused:
        fair_transition(fair=fair, to=FairStatus.PUBLISHED, actor=user)
    assert refused.value.field == "starts_on"


def test_cancelling_needs_a_reason_and_mails_every_exhibitor_in_its_language(
    django_capture_on_commit_callbacks,
):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    vi = applied(fair=fair, language="vi")
    en = applied(fair=fair, language="en")
    withdrawn = applied(fair=fair, language="vi")
    withdrawn.status = ApplicationStatus.WITHDRAWN
    withdrawn.save()
    with pytest.raises(FairError) as refused:
        fair_transition(fair=fair, to=FairStatus.CANCELLED, actor=user, reason="  ")
    assert refused.value.field == "reason"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fair_transition(fair=fair, to=FairStatus.CANCELLED, actor=user, reason="Bão số 3")
    fair.refresh_from_db()
    assert fair.status == FairStatus.CANCELLED
    assert fair.cancellation_reason == "Bão số 3"
    by_seller = {m.to[-1]: m for m in mail.outbox}
    assert sorted(by_seller) == sorted([vi.seller.email, en.seller.email])
    assert len(mail.outbox) == 2
    assert by_seller[vi.seller.email].subject == f"{fair.name} đã bị hủy"
    assert "Lý do: Bão số 3" in by_seller[vi.seller.email].body
    assert by_seller[en.seller.email].subject == f"{fair.name} has been cancelled"
    assert "Reason: Bão số 3" in by_seller[en.seller.email].body


def test_only_members_of_an_approved_organiser_may_act():
    organiser, _user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.DRAFT)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        fair_transition(fair=fair, to=FairStatus.PUBLISHED, actor=stranger)
    _other, staff_member = organiser_member(organiser, role="staff")
    with pytest.raises(PermissionDenied):
        fair_transition(fair=fair, to=FairStatus.PUBLISHED, actor=staff_member)
    pending = OrganiserFactory(approved_at=None)
    _pending, pending_owner = organiser_member(pending, role="owner")
    with pytest.raises(PermissionDenied) as refused:
        fair_create(organiser=pending, actor=pending_owner, name="Hội chợ", venue_address="Hạ Long",
                    province=province("22"))  # fmt: skip
    assert "approval" in str(refused.value.message) or "duyệt" in str(refused.value.message)
    admin = UserFactory(is_staff=True)
    organiser_approve(organiser=pending, actor=admin)
    fair = fair_create(organiser=pending, actor=pending_owner, name="Hội chợ Xuân",
                       venue_address="Hạ Long", province=province("22"))  # fmt: skip
    assert fair.slug == "hoi-cho-xuan"
    assert fair.status == FairStatus.DRAFT
    with pytest.raises(PermissionDenied):
        organiser_approve(organiser=pending, actor=pending_owner)


def test_fair_fields_are_checked_and_normalised():
    organiser, user = organiser_member()
    start = datetime.date(2026, 8, 29)
    fair = fair_create(
        organiser=organiser, actor=user, name="Hoi cho\u0301 Đông Bắc", venue_address=" Hạ Long ",
        province=province("22"), starts_on=start, ends_on=start + datetime.timedelta(days=5),
        closed_days=["2026-08-31", "2026-08-31"], partners=[" OVOP (Japan) ", ""],
    )  # fmt: skip
    assert fair.name == "Hoi chó Đông Bắc"
    assert fair.venue_address == "Hạ Long"
    assert fair.closed_days == ["2026-08-31"]
    assert fair.partners == ["OVOP (Japan)"]
    # Descriptions and rules keep their line breaks (the page shows them); spaces inside a
    # line and runs of blank lines are tidied, decomposed letters composed.
    fair = fair_update(
        fair=fair,
        actor=user,
        description_vi="Khai ma\u0323c  8 giờ.\r\n\r\n\r\n\r\nGian hàng  mở   cửa.\r\n",
        rules=" Không bán rượu. \n Không  hút thuốc.",
    )
    fair.refresh_from_db()
    assert fair.description_vi == "Khai mạc 8 giờ.\n\nGian hàng mở cửa."
    assert fair.rules == "Không bán rượu.\nKhông hút thuốc."
    with pytest.raises(FairError) as refused:
        fair_update(fair=fair, actor=user, ends_on=start - datetime.timedelta(days=1))
    assert refused.value.field == "ends_on"
    with pytest.raises(FairError) as refused:
        fair_update(fair=fair, actor=user, applications_close_on=start + datetime.timedelta(days=1))
    assert refused.value.field == "applications_close_on"
    with pytest.raises(FairError) as refused:
        fair_update(fair=fair, actor=user, closed_days=["31/08/2026"])
    assert refused.value.field == "closed_days"
