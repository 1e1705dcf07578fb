"""Exhibitor applications and the organiser's review: one open application per seller per fair,
edits inside the window, withdrawal before assignment, waitlist order, rejection with a reason,
assignment and release."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from catalog.models import Certificate
from marketplace.fairs.errors import FairError
from marketplace.fairs.models import ApplicationStatus, BoothStatus, ExhibitorApplication
from marketplace.fairs.services import (
    application_reject,
    application_submit,
    application_update,
    application_waitlist,
    application_withdraw,
    booth_assign,
    booth_release,
)
from sellers.errors import PermissionDenied
from sellers.models import SellerStatus
from tests.factories import UserFactory, selling_product
from tests.factories_fairs import BoothFactory, FairFactory, organiser_member
from tests.fairs.helpers import applied, seller_with_offers

pytestmark = pytest.mark.django_db


def _fair(**kwargs):
    organiser, user = organiser_member()
    return FairFactory(organiser=organiser, **kwargs), user


def test_a_seller_applies_with_its_visible_certified_offers_only():
    fair, _organiser = _fair()
    seller, user, offers = seller_with_offers(offers=2)
    _product, _certificate, foreign = selling_product()
    with pytest.raises(FairError) as refused:
        application_submit(fair=fair, seller=seller, actor=user,
                           offer_ids=[offers[0].pk, foreign[0].pk])  # fmt: skip
    assert refused.value.field == "offers"
    with pytest.raises(FairError) as refused:
        application_submit(fair=fair, seller=seller, actor=user, offer_ids=[])
    assert refused.value.field == "offers"
    application = application_submit(fair=fair, seller=seller, actor=user,
                                     offer_ids=[o.pk for o in offers], note=" Mật ong ")  # fmt: skip
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.note == "Mật ong"
    assert sorted(application.offers.values_list("pk", flat=True)) == sorted(o.pk for o in offers)


def test_one_open_application_per_seller_per_fair_in_the_service_and_the_database():
    fair, _organiser = _fair()
    application = applied(fair=fair)
    seller = application.seller
    user = seller.memberships.get().user
    offer_ids = list(application.offers.values_list("pk", flat=True))
    with pytest.raises(FairError) as refused:
        application_submit(fair=fair, seller=seller, actor=user, offer_ids=offer_ids)
    assert refused.value.code == "duplicate"
    with pytest.raises(IntegrityError), transaction.atomic():
        ExhibitorApplication.objects.create(fair=fair, seller=seller)
    application_withdraw(application=application, actor=user)
    again = application_submit(fair=fair, seller=seller, actor=user, offer_ids=offer_ids)
    assert again.status == ApplicationStatus.SUBMITTED


def test_only_active_sellers_and_their_managers_apply_inside_the_window():
    fair, _organiser = _fair()
    seller, user, offers = seller_with_offers()
    ids = [o.pk for o in offers]
    with pytest.raises(PermissionDenied):
        application_submit(fair=fair, seller=seller, actor=UserFactory(), offer_ids=ids)
    today = fair.applications_close_on + datetime.timedelta(days=1)
    with pytest.raises(FairError) as refused:
        application_submit(fair=fair, seller=seller, actor=user, offer_ids=ids, today=today)
    assert refused.value.code == "window_closed"
    closed, _ = _fair(status="applications_closed")
    with pytest.raises(FairError) as refused:
        application_submit(fair=closed, seller=seller, actor=user, offer_ids=ids)
    assert refused.value.code == "window_closed"
    seller.status = SellerStatus.SUSPENDED
    seller.save()
    with pytest.raises(FairError) as refused:
        application_submit(fair=fair, seller=seller, actor=user, offer_ids=ids)
    assert refused.value.code == "inactive"


def test_an_application_is_edited_until_the_window_closes_and_withdrawn_before_assignment():
    fair, organiser = _fair()
    application = applied(fair=fair)
    user = application.seller.memberships.get().user
    edited = application_update(application=application, actor=user, booths_wanted=2, note="Hai")
    assert (edited.booths_wanted, edited.note) == (2, "Hai")
    late = fair.applications_close_on + datetime.timedelta(days=1)
    with pytest.raises(FairError) as refused:
        application_update(application=application, actor=user, note="Muộn", today=late)
    assert refused.value.code == "window_closed"
    booth_assign(application=application, booth=BoothFactory(zone__fair=fair), actor=organiser)
    with pytest.raises(FairError):
        application_withdraw(application=application, actor=user)
    with pytest.raises(FairError):
        application_update(application=application, actor=user, note="Sau")


def test_review_waitlist_reject_assign_and_mail_in_the_sellers_language(
    django_capture_on_commit_callbacks,
):
    fair, organiser = _fair()
    first, second, third = (applied(fair=fair, language=lang) for lang in ("vi", "en", "vi"))
    booth = BoothFactory(zone__fair=fair, code="B-12")
    with django_capture_on_commit_callbacks(execute=True):
        application_waitlist(application=second, actor=organiser)
        with pytest.raises(FairError) as refused:
            application_reject(application=third, actor=organiser, reason=" ")
        assert refused.value.field == "reason"
        application_reject(application=third, actor=organiser, reason="Thiếu giấy chứng nhận")
        assignment = booth_assign(application=first, booth=booth, actor=organiser)
    assert assignment.amount_due == booth.price
    booth.refresh_from_db()
    assert booth.status == BoothStatus.ASSIGNED
    subjects = {m.to[-1]: (m.subject, m.body) for m in mail.outbox}
    assert (
        subjects[second.seller.email][0]
        == f"Your application to {fair.name} is on the waiting list"
    )
    assert subjects[third.seller.email][0] == f"Hồ sơ tham gia {fair.name} không được chấp nhận"
    assert "Thiếu giấy chứng nhận" in subjects[third.seller.email][1]
    assert subjects[first.seller.email][0] == f"Gian hàng của bạn tại {fair.name}"
    assert "B-12" in subjects[first.seller.email][1]
    with pytest.raises(FairError) as refused:
        booth_assign(application=second, booth=booth, actor=organiser)
    assert refused.value.code == "booth_taken"
    with pytest.raises(PermissionDenied):
        booth_assign(application=second, booth=booth, actor=first.seller.memberships.get().user)


def test_an_exhibitor_gets_no_more_booths_than_it_asked_for():
    fair, organiser = _fair()
    application = applied(fair=fair, booths_wanted=1)
    booth_assign(application=application, booth=BoothFactory(zone__fair=fair), actor=organiser)
    with pytest.raises(FairError) as refused:
        booth_assign(application=application, booth=BoothFactory(zone__fair=fair), actor=organiser)
    assert refused.value.code == "enough"


def test_a_released_booth_goes_to_the_waitlist_in_the_order_it_was_made():
    fair, organiser = _fair()
    holder = applied(fair=fair)
    waiting = [applied(fair=fair) for _ in range(3)]
    # Waitlisted in the order 2, 0, 1: the order of waitlisting counts, not of applying.
    for index in (2, 0, 1):
        application_waitlist(application=waiting[index], actor=organiser)
    booth = BoothFactory(zone__fair=fair)
    assignment = booth_assign(application=holder, booth=booth, actor=organiser)
    new = booth_release(assignment=assignment, actor=organiser)
    assert new.application == waiting[2]
    holder.refresh_from_db()
    assert holder.status == ApplicationStatus.RELEASED
    new = booth_release(assignment=new, actor=organiser)
    assert new.application == waiting[0]
    new = booth_release(assignment=new, actor=organiser)
    assert new.application == waiting[1]
    assert booth_release(assignment=new, actor=organiser) is None
    booth.refresh_from_db()
    assert booth.status == BoothStatus.AVAILABLE
    assert booth.assignments.filter(released_at__isnull=True).count() == 0
    assert booth.assignments.count() == 4


def test_the_database_refuses_a_second_live_assignment_of_one_booth():
    from marketplace.fairs.models import BoothAssignment

    fair, organiser = _fair()
    one, two = applied(fair=fair), applied(fair=fair)
    booth = BoothFactory(zone__fair=fair)
    booth_assign(application=one, booth=booth, actor=organiser)
    with pytest.raises(IntegrityError), transaction.atomic():
        BoothAssignment.objects.create(booth=booth, application=two)


def test_a_product_whose_certificate_lapses_before_the_fair_is_flagged():
    from marketplace.fairs.selectors import application_lapsing_offers

    fair, _organiser = _fair()
    application = applied(fair=fair)
    assert application_lapsing_offers(applications=[application]) == {application.pk: []}
    offer = application.offers.get()
    certificate = Certificate.objects.get(product=offer.variant.product)
    certificate.valid_until = fair.starts_on - datetime.timedelta(days=1)
    certificate.save()
    assert application_lapsing_offers(applications=[application]) == {application.pk: [offer]}
