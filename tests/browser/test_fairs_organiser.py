"""An organiser shapes a fair on the web: creates it as a draft, adds a zone, creates its booths
in bulk, publishes it and opens applications; then the public fair page shows it with its
booth map (phone + vi, desktop + en)."""

import datetime
import re

import pytest
from django.utils import timezone

from core.models import Province
from marketplace.fairs.models import Booth, Fair, FairStatus
from tests.browser.test_fairs import _sign_in
from tests.factories_fairs import organiser_member


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_an_organiser_creates_lays_out_publishes_and_opens_a_fair(open_context, viewport, language):
    # The suite's data is committed: each viewport brings its own organiser and fair.
    organiser, owner = organiser_member(role="owner")
    name = f"Hội chợ OCOP Quảng Ninh {viewport}"
    starts = timezone.localdate() + datetime.timedelta(days=40)
    visit = open_context(viewport, language)
    page = visit.page
    _sign_in(visit, owner.email)

    # 1. A new fair, as a draft, from the organiser's home.
    visit.goto(f"/to-chuc/{organiser.slug}/")
    page.locator(f"a[href='/to-chuc/{organiser.slug}/hoi-cho-moi/']").click()
    page.wait_for_url(re.compile(r"/hoi-cho-moi/$"))
    visit.check()
    page.fill("#id_name", name)
    page.fill("#id_venue_name", "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh")
    page.fill("#id_venue_address", "Trần Quốc Nghiễn, Hạ Long")
    page.select_option("#id_province", value=str(Province.objects.get(code="22").pk))
    page.fill("#id_starts_on", starts.isoformat())
    page.fill("#id_ends_on", (starts + datetime.timedelta(days=4)).isoformat())
    page.fill("#id_opens_at", "08:00")
    page.fill("#id_closes_at", "22:00")
    page.fill("#id_applications_open_on", timezone.localdate().isoformat())
    page.fill("#id_applications_close_on", (starts - datetime.timedelta(days=10)).isoformat())
    page.fill("#id_booth_fee", "2.000.000")
    page.fill("#id_description_vi", "Sản phẩm OCOP của 13 địa phương.\nCó gian ẩm thực.")
    page.locator("form.fair-form button[type=submit]").click()
    fair = Fair.objects.get(name=name)
    page.wait_for_url(re.compile(rf"/hoi-cho/{fair.slug}/$"))
    visit.check()
    assert fair.status == FairStatus.DRAFT
    assert fair.description_vi == "Sản phẩm OCOP của 13 địa phương.\nCó gian ẩm thực."

    # 2. A zone, from the fair's menu.
    page.locator(f".fair-desk-nav a[href$='/hoi-cho/{fair.slug}/khu/']").click()
    page.wait_for_url(re.compile(r"/khu/$"))
    page.fill("#id_name", "Cụm Tiên Yên")
    page.locator("form.zone-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/khu/$"))
    visit.check()
    zone = fair.zones.get()
    assert zone.name == "Cụm Tiên Yên"

    # 3. Booths in rows of 6, at the fair's fee.
    visit.goto(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/gian-hang/tao/")
    page.select_option("#id_zone", value=str(zone.pk))
    page.fill("#id_last", "12")
    page.fill("#id_per_row", "6")
    page.locator("form.booths-bulk-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gian-hang/$"))
    visit.check()
    assert page.locator(".booth-list li[data-status='available']").count() == 12
    booths = list(Booth.objects.filter(fair=fair).order_by("code"))
    assert [b.code for b in booths[:2]] == ["A-01", "A-02"]
    assert (booths[6].x, booths[6].y) == (0, 3)  # the second row

    # 4. Published, then open for applications, from the desk's status buttons.
    visit.goto(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/")
    for status in (FairStatus.PUBLISHED, FairStatus.APPLICATIONS_OPEN):
        page.locator(f"button[data-to='{status}']").click()
        page.wait_for_url(re.compile(rf"/hoi-cho/{fair.slug}/$"))
        visit.check()
        fair.refresh_from_db()
        assert fair.status == status

    # 5. Visitors see it, with its booth map.
    visit.goto(f"/hoi-cho/{fair.slug}/")
    assert page.locator("h1").inner_text() == name
    assert page.locator("svg.booth-map a").count() == 12
