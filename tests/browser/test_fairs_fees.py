"""The booth fee in a real browser: a seller assigned a booth sees the fee due with its VietQR
image and transfer reference in its workspace, the organiser marks it paid from its desk, and
the seller then sees it paid (phone + vi, desktop + en)."""

import re

import pytest

from marketplace.fairs.models import BoothAssignment
from marketplace.fairs.services import booth_assign
from tests.browser.test_fairs import _sign_in
from tests.factories import member
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.fairs.helpers import applied


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_booth_fee_seen_with_vietqr_marked_paid_then_seen_paid(open_context, viewport, language):
    # The suite's data is committed: each viewport brings its own fair, organiser and seller.
    organiser, desk_user = organiser_member()
    fair = FairFactory(organiser=organiser, name=f"Hội chợ phí gian hàng {viewport}")
    zone = ZoneFactory(fair=fair, name=f"Khu phí {viewport}")
    booth = BoothFactory(zone=zone, code="B-12", price=1_500_000)
    application = applied(fair=fair, name=f"HTX Phí gian hàng {viewport}")
    seller = application.seller
    owner = member(seller, role="owner")
    assignment = booth_assign(application=application, booth=booth, actor=desk_user)
    assert (assignment.fee_state, assignment.amount_due) == ("due", 1_500_000)

    # 1. The seller sees the fee due: the amount, its reference and the VietQR image.
    visit = open_context(viewport, language)
    page = visit.page
    _sign_in(visit, owner.email)
    visit.goto(f"/seller/{seller.slug}/hoi-cho/")
    fee = page.locator(".booth-fee[data-booth='B-12']")
    assert fee.get_attribute("data-fee") == "due"
    assert fee.locator(".fee-reference").inner_text() == assignment.reference
    assert "1.500.000" in fee.inner_text()
    qr = fee.locator("figure.vietqr svg")
    assert qr.count() == 1
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 120 and box["height"] >= 120

    # 2. The organiser marks the fee paid from its desk.
    desk = open_context(viewport, language)
    _sign_in(desk, desk_user.email)
    desk.goto(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/")
    row = desk.page.locator(f"#application-{application.pk}")
    assert row.locator("[data-fee='due']").is_visible()
    row.locator("form[action$='/da-thu/'] button[type=submit]").click()
    desk.page.wait_for_url(re.compile(rf"/hoi-cho/{fair.slug}/$"))
    desk.check()
    row = desk.page.locator(f"#application-{application.pk}")
    assert row.locator("[data-fee='paid']").is_visible()
    assert row.locator("form[action$='/da-thu/']").count() == 0
    assignment = BoothAssignment.objects.get(pk=assignment.pk)
    assert (assignment.fee_state, assignment.paid_by) == ("paid", desk_user)

    # 3. The seller sees it paid: no reference or code to scan any more.
    visit.goto(f"/seller/{seller.slug}/hoi-cho/")
    fee = page.locator(".booth-fee[data-booth='B-12']")
    assert fee.get_attribute("data-fee") == "paid"
    assert fee.locator("figure.vietqr").count() == 0
    assert fee.locator(".fee-reference").count() == 0
