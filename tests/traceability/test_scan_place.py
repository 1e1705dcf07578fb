"""scan_place_resolve: the one reading of a scan's place, for the page and the API alike."""

from decimal import Decimal

import pytest

from tests.factories import province
from traceability.selectors import scan_place_resolve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("21.0285", "105.8542", (Decimal("21.0"), Decimal("105.9"))),  # the page's query string
        (21.05, 105.84, (Decimal("21.1"), Decimal("105.8"))),  # the API's floats
        ("21.0", None, (None, None)),  # half a place is none
        ("91", "105", (None, None)),  # out of range
        ("nan", "105", (None, None)),
        ("abc", "", (None, None)),
    ],
)
def test_coordinates_are_rounded_to_a_tenth_or_dropped(latitude, longitude, expected):
    place = scan_place_resolve(province_slug=None, latitude=latitude, longitude=longitude)
    assert (place.latitude, place.longitude) == expected


def test_a_province_is_found_by_slug_and_an_unknown_one_ignored():
    hanoi = province("01")
    assert (
        scan_place_resolve(province_slug=f" {hanoi.slug} ", latitude=None, longitude=None).province
        == hanoi
    )
    assert (
        scan_place_resolve(province_slug="khong-co", latitude=None, longitude=None).province is None
    )
