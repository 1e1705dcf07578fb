"""A seller applies to a fair from its workspace, the organiser accepts it on a booth from its
desk, picks a booth for another exhibitor on the desk's booth map, and the public fair page shows
the exhibitor at its booth (phone + vi, desktop + en)."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.fairs.models import ApplicationStatus, ExhibitorApplication
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.fairs.helpers import applied, seller_with_offers

PASSWORD = "correct horse battery staple"  # the factories' password


def _sign_in(visit, username: str) -> None:
    page = visit.page
    visit.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action$='/dang-nhap/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tai-khoan/$"))
    visit.check()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_apply_accept_on_a_booth_and_show_on_the_fair_page(open_context, viewport, language):
    # The suite's data is committed: each viewport brings its own fair, organiser and seller.
    organiser, desk_user = organiser_member()
    fair = FairFactory(organiser=organiser, name=f"Hội chợ OCOP hè {viewport}")
    zone = ZoneFactory(fair=fair, name=f"Cụm Tiên Yên {viewport}")
    booth = BoothFactory(zone=zone, code="B-12")
    picked = BoothFactory(zone=zone, code="B-14")
    seller, manager, offers = seller_with_offers(name=f"HTX Hội chợ Bình Liêu {viewport}")
    product = offers[0].variant.product

    # 1. The seller applies from its workspace.
    visit = open_context(viewport, language)
    page = visit.page
    _sign_in(visit, manager.email)
    visit.goto(f"/seller/{seller.slug}/hoi-cho/")
    page.locator(f"[data-fair='{fair.slug}'] a.button").click()
    page.wait_for_url(re.compile(r"/dang-ky/$"))
    visit.check()
    page.check(f"input[name=offers][value='{offers[0].pk}']")
    page.select_option("#id_preferred_zone", str(zone.pk))
    page.locator("form.application-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/hoi-cho/$"))
    visit.check()
    application = ExhibitorApplication.objects.get(seller=seller, fair=fair)
    assert application.status == ApplicationStatus.SUBMITTED
    assert page.locator(f"#application-{application.pk} .application-status").is_visible()

    # 2. The organiser accepts it on booth B-12 from its desk.
    desk = open_context(viewport, language)
    _sign_in(desk, desk_user.email)
    desk.goto(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/")
    row = desk.page.locator(f"#application-{application.pk}")
    row.locator("select[name=booth]").select_option(str(booth.pk))
    row.locator("form[action$='/assign/'] button[type=submit]").click()
    desk.page.wait_for_url(re.compile(rf"/hoi-cho/{fair.slug}/$"))
    desk.check()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert desk.page.locator(f"#application-{application.pk} .booth-code").inner_text() == "B-12"

    # 2b. Another exhibitor gets booth B-14 picked on the desk's booth map (links, no script).
    second = applied(fair=fair, name=f"HTX Hội chợ Đầm Hà {viewport}")
    desk.goto(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/")
    desk.page.locator(f"#application-{second.pk} a.pick-on-map").click()
    desk.page.wait_for_url(re.compile(r"/so-do/\?don="))
    desk.check()
    # Activated from the keyboard: on a phone the scaled map's neighbours overlap its edges.
    desk.page.locator("a.booth-pick[data-booth='B-14']").press("Enter")
    desk.page.wait_for_url(re.compile(rf"/don/{second.pk}/gian/{picked.pk}/$"))
    desk.check()
    desk.page.locator("form[action$='/assign/'] button[type=submit]").click()
    desk.page.wait_for_url(re.compile(rf"/hoi-cho/{fair.slug}/$"))
    desk.check()
    assert desk.page.locator(f"#application-{second.pk} .booth-code").inner_text() == "B-14"

    # 3. A visitor finds the exhibitor and its product at the booth on the fair's page.
    visitor = open_context(viewport, language)
    visitor.goto(f"/hoi-cho/{fair.slug}/")
    body = visitor.page.content()
    assert seller.name in body
    assert product.name in body
    assert "B-12" in body

    # 4. The booth map is readable on a phone: drawn whole, wider than the screen, it pans
    # inside its frame (the page itself never scrolls sideways: ``goto`` checked); its booth
    # leads to the exhibitor list's entry, with the seller and its product.
    page = visitor.page
    expect(page.locator("svg.booth-map")).to_be_visible()
    frame_pans = page.locator(".booth-map-frame").evaluate("f => f.scrollWidth > f.clientWidth")
    assert frame_pans is (viewport == "phone")
    booth_link = page.locator("svg.booth-map a[data-booth='B-12']")
    booth_link.scroll_into_view_if_needed()
    expect(booth_link).to_be_in_viewport()
    booth_link.press("Enter")
    page.wait_for_url(re.compile(r"#booth-B-12$"))
    entry = page.locator(".exhibitor", has=page.locator("#booth-B-12"))
    expect(entry).to_be_in_viewport()
    expect(entry).to_contain_text(seller.name)
    expect(entry).to_contain_text(product.name)

    # 5. Printed, the page asks for A3 landscape sheets and the map is drawn whole on them.
    page.emulate_media(media="print")
    expect(page.locator("svg.booth-map")).to_be_visible()
    assert page.locator(".booth-map-frame").evaluate("f => f.scrollWidth <= f.clientWidth")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", page.pdf(prefer_css_page_size=True))
    assert boxes
    # A3 is 420 × 297 mm: 1190.55 × 841.89 points.
    assert all(abs(float(w) - 1190.55) < 2 and abs(float(h) - 841.89) < 2 for w, h in boxes)
