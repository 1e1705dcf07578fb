"""Demo fairs: after load_demo and load_demo_shop, /hoi-cho/ lists the fairs of fairs.csv, the
Đông Bắc 2024 fair has its four zones and 257 booths with demo exhibitors, and the next summer
fair takes applications."""

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
    assert summer.zones.filter(kind="international").exists()
    statuses = set(summer.applications.values_list("status", flat=True))
    assert statuses == {
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.SUBMITTED,
    }
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

    counts = (Fair.objects.count(), Booth.objects.count(), ExhibitorApplication.objects.count())
    call_command("load_demo_shop", stdout=StringIO())
    assert (
        Fair.objects.count(),
        Booth.objects.count(),
        ExhibitorApplication.objects.count(),
    ) == counts
