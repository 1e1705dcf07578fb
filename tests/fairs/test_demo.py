"""Demo fairs: after load_demo and load_demo_shop, /hoi-cho/ lists the fairs of fairs.csv, the
Đông Bắc 2024 fair has its four zones and 257 booths with demo exhibitors, and the next summer
fair takes applications, with a zone per international partner."""

from io import StringIO

import pytest
from django.core.management import call_command

from marketplace.fairs.demo import SUMMER_SLUG
from marketplace.fairs.models import (
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    FairStatus,
    Zone,
)

pytestmark = pytest.mark.django_db


def test_demo_fairs_load_once_and_show_on_the_fair_pages(client):
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_shop", stdout=out)
    line = out.getvalue().splitlines()[-1]
    assert line.startswith("Demo fairs: 10 (")
    fairs = Fair.objects.all()
    assert fairs.count() == 10
    assert all(f.is_demo and f.organiser.is_demo and f.organiser.is_approved for f in fairs)
    dong_bac = fairs.get(name="Hội chợ OCOP khu vực Đông Bắc 2024")
    assert dong_bac.status == FairStatus.FINISHED
    assert dong_bac.zones.count() == 4
    # 100 + 150 + 7 standard booths and the stage.
    assert dong_bac.booths.exclude(code="SK").count() == 257
    assert dong_bac.booths.filter(held_for="Ba Chẽ").exists()
    assert "https://vietnam.vn/quangninh/?p=602600" in dong_bac.description_en
    assert BoothAssignment.objects.filter(booth__fair=dong_bac).count() >= 4
    summer = fairs.get(slug=SUMMER_SLUG)
    assert summer.status == FairStatus.APPLICATIONS_OPEN
    assert summer.partners == [
        "OVOP (Nhật Bản)",
        "OTOP (Thái Lan)",
        "Trung Quốc",
        "Đài Loan",
        "Lào",
    ]
    # A zone per international partner, three booths each, between the provinces and the food.
    zones = list(summer.zones.order_by("position").values_list("name", "kind"))
    assert zones == [
        ("Khu OCOP Quảng Ninh", "locality"),
        ("Khu các tỉnh bạn", "provinces"),
        ("Khu đối tác OVOP (Nhật Bản)", "international"),
        ("Khu đối tác OTOP (Thái Lan)", "international"),
        ("Khu đối tác Trung Quốc", "international"),
        ("Khu đối tác Đài Loan", "international"),
        ("Khu đối tác Lào", "international"),
        ("Phố ẩm thực", "food"),
        ("Sân khấu", "stage"),
    ]
    partner_booths: dict[str, list[str]] = {}
    for name, code in (
        summer.booths.filter(zone__kind="international")
        .order_by("code")
        .values_list("zone__name", "code")
    ):
        partner_booths.setdefault(name, []).append(code)
    assert partner_booths == {
        "Khu đối tác OVOP (Nhật Bản)": ["JP-01", "JP-02", "JP-03"],
        "Khu đối tác OTOP (Thái Lan)": ["TH-01", "TH-02", "TH-03"],
        "Khu đối tác Trung Quốc": ["CN-01", "CN-02", "CN-03"],
        "Khu đối tác Đài Loan": ["TW-01", "TW-02", "TW-03"],
        "Khu đối tác Lào": ["LA-01", "LA-02", "LA-03"],
    }
    assert set(summer.booths.filter(zone__kind="international").values_list("status", "price")) == {
        ("available", 2_000_000)
    }
    # 40 local, 20 other provinces, 5 × 3 partners, 10 food booths and the stage.
    assert summer.booths.count() == 86
    statuses = set(summer.applications.values_list("status", flat=True))
    assert statuses == {
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.SUBMITTED,
    }
    # Every demo assignment has the booth location a real one opens; the summer fair's exhibitors
    # bring 12 units of their first offer, which its product page then places at the booth.
    demo_assignments = BoothAssignment.objects.filter(booth__fair__is_demo=True)
    assert not demo_assignments.filter(location__isnull=True).exists()
    summer_assignments = list(
        demo_assignments.filter(booth__fair=summer).select_related("booth", "location")
    )
    assert [a.booth.code for a in summer_assignments] == ["A-01", "A-02", "A-03", "A-04"]
    for assignment in summer_assignments:
        location = assignment.location
        assert (location.kind, location.available_from, location.available_until) == (
            "booth",
            summer.starts_on,
            summer.ends_on,
        )
        assert list(location.stocks.values_list("quantity", flat=True)) == [12]
    first = summer_assignments[0]
    product = first.location.stocks.get().offer.variant.product
    product_page = client.get(f"/san-pham/{product.slug}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert f'At booth A-01, <a href="/hoi-cho/{summer.slug}/">{summer.name}</a>' in (
        product_page.decode()
    )
    # The demo points of sale have no fair and exhibition centre: the venues stay as written.
    assert not fairs.filter(venue_point__isnull=False).exists()
    festivals = fairs.filter(province__code="19")
    assert [(f.starts_on, f.booths.count()) for f in festivals] == [(None, 0), (None, 0)]

    listing = client.get("/hoi-cho/").content.decode()
    assert "Hội chợ OCOP khu vực Đông Bắc 2024" in listing
    assert summer.name in listing
    page = client.get(f"/hoi-cho/{summer.slug}/").content.decode()
    exhibitor = summer.applications.filter(status="accepted").first().seller
    assert exhibitor.name in page
    assert all(name in page for name in partner_booths)  # the zone legend

    counts = (
        Fair.objects.count(),
        Zone.objects.count(),
        Booth.objects.count(),
        ExhibitorApplication.objects.count(),
    )
    call_command("load_demo_shop", stdout=StringIO())
    assert (
        Fair.objects.count(),
        Zone.objects.count(),
        Booth.objects.count(),
        ExhibitorApplication.objects.count(),
    ) == counts
