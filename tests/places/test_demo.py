"""Demo points of sale: after load_demo and load_demo_shop, /diem-ban/ has places with stock."""

from io import StringIO

import pytest
from django.core.management import call_command

from marketplace.offers.models import Stock
from marketplace.places.models import OpeningException, OpeningHours, PointKind, PointOfSale

pytestmark = pytest.mark.django_db


def test_demo_points_load_once_with_stock_and_hours():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_shop", stdout=out)
    assert "Demo points of sale: 14" in out.getvalue().splitlines()
    points = PointOfSale.objects.select_related("location__business", "location__province")
    assert {p.kind for p in points} >= {PointKind.BUS_STATION, PointKind.HIGHWAY_REST_STOP}
    assert all(p.is_demo and p.location.business.is_demo for p in points)
    centre = points.get(slug="trung-tam-gioi-thieu-san-pham-ocop-ha-long")
    assert (centre.location.business.name, centre.location.province.code) == (
        "Trung tâm OCOP Hạ Long",
        "22",
    )
    assert (centre.latitude, centre.coordinates_approximate) == (
        centre.latitude.__class__("20.966000"),
        True,
    )
    assert centre.legacy_address == "khu Đồn Điền, phường Hà Khẩu, TP Hạ Long"
    assert OpeningException.objects.filter(location=centre.location).count() == 3
    assert centre.displayed_products.count() == 3
    for point in points:
        assert Stock.objects.filter(location=point.location, quantity__gt=0).exists(), point.slug
        assert OpeningHours.objects.filter(location=point.location).exists()
    counts = (PointOfSale.objects.count(), Stock.objects.count(), OpeningHours.objects.count())
    call_command("load_demo_shop", stdout=StringIO())
    assert (
        PointOfSale.objects.count(),
        Stock.objects.count(),
        OpeningHours.objects.count(),
    ) == counts
