"""Near me: a bounding box on the indexed coordinates, then exact great-circle distances."""

import math
from decimal import Decimal

import pytest

from marketplace.places.selectors import (
    KM_PER_DEGREE,
    bounding_box,
    distance_km,
    points_by_distance,
    points_filter,
    points_public,
)
from tests.factories_places import point

pytestmark = pytest.mark.django_db

HOAN_KIEM = (21.028511, 105.852020)


def test_haversine_against_known_distances():
    # Hà Nội (Hoàn Kiếm) → TP HCM (Bến Thành): 10.256° of latitude, 0.846° of longitude at
    # ≈ 15.9° N → √(1140.4² + 90.5²) ≈ 1,144 km.
    assert round(distance_km(*HOAN_KIEM, 10.772431, 106.698048)) == 1144
    assert distance_km(*HOAN_KIEM, *HOAN_KIEM) == 0
    # One degree of latitude.
    assert math.isclose(distance_km(20, 105, 21, 105), KM_PER_DEGREE, rel_tol=1e-9)


def test_box_holds_the_whole_circle():
    lat_min, lat_max, lng_min, lng_max = bounding_box(*HOAN_KIEM, 50)
    # A point 50 km due east and due north lies inside the box.
    for bearing in range(0, 360, 15):
        # walk 49.999 km along the bearing on the sphere
        d = 49.999 / 6371.0088
        lat1, lng1 = map(math.radians, HOAN_KIEM)
        b = math.radians(bearing)
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lng2 = lng1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1),
            math.cos(d) - math.sin(lat1) * math.sin(lat2),
        )
        lat2, lng2 = math.degrees(lat2), math.degrees(lng2)
        assert lat_min <= lat2 <= lat_max and lng_min <= lng2 <= lng_max, bearing


def test_ordering_edges_and_equal_distances():
    lat, lng = HOAN_KIEM
    dlat_10km = 10 / KM_PER_DEGREE
    north = point(latitude=f"{lat + dlat_10km:.6f}", longitude=f"{lng:.6f}", code="01")
    south = point(latitude=f"{lat - dlat_10km:.6f}", longitude=f"{lng:.6f}", code="01")
    near = point(latitude=f"{lat + 0.01:.6f}", longitude=f"{lng:.6f}", code="01")
    # Inside the 20 km box's corner but 28 km away: outside the circle.
    corner = point(
        latitude=f"{lat + 19.9 / KM_PER_DEGREE:.6f}",
        longitude=f"{lng + 19.9 / (KM_PER_DEGREE * math.cos(math.radians(lat))):.6f}",
        code="01",
    )
    far = point(latitude="10.772431", longitude="106.698048", code="79")
    found = points_by_distance(points_public(), latitude=lat, longitude=lng, radius_km=20)
    assert [pk for pk, _d in found] == [near.pk, north.pk, south.pk]
    assert round(found[1][1], 3) == round(found[2][1], 3) == 10.0
    assert corner.pk not in dict(found) and far.pk not in dict(found)
    # At exactly the radius a point is in.
    on_edge = points_by_distance(points_public(), latitude=lat, longitude=lng, radius_km=10.0)
    assert {north.pk, south.pk} <= {pk for pk, _d in on_edge}


def test_one_query_whatever_the_number(django_assert_num_queries):
    for i in range(10):
        point(latitude=f"{21.0 + i / 1000:.6f}", longitude="105.800000", code="01")
    with django_assert_num_queries(1):
        found = points_by_distance(
            points_filter(kind="ocop_centre"), latitude=21.0, longitude=105.8, radius_km=50
        )
    assert len(found) == 10


def test_every_province_has_a_centre_inside_vietnam():
    from core.models import Province
    from marketplace.places.models import LATITUDE_MAX, LATITUDE_MIN, LONGITUDE_MAX, LONGITUDE_MIN
    from marketplace.places.selectors import province_centre

    provinces = list(Province.objects.all())
    assert len(provinces) == 34
    for province in provinces:
        latitude, longitude = province_centre(province=province)
        assert LATITUDE_MIN <= Decimal(str(latitude)) <= LATITUDE_MAX, province.name
        assert LONGITUDE_MIN <= Decimal(str(longitude)) <= LONGITUDE_MAX, province.name
