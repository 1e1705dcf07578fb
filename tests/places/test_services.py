"""Operators' and officials' writes on points of sale: every refusal says what and where."""

import datetime

import pytest

from core.errors import DomainError
from marketplace.offers.models import StockLocation, StockLocationKind
from marketplace.places.models import OpeningHours, PointStatus
from marketplace.places.services import (
    coordinate_clean,
    hours_clean,
    location_hours_set,
    point_create,
    point_recognise,
    point_reinstate,
    point_status_set,
    point_suspend,
    point_update,
)
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, UserFactory, member, province
from tests.factories_places import point

pytestmark = pytest.mark.django_db

T = datetime.time


def _fields(**changes):
    return {
        "name": "Điểm bán OCOP Bãi Cháy",
        "kind": "bus_station",
        "province": province("22"),
        "latitude": "20.9618",
        "longitude": "107,0345",
        "phone": "0203 3846 123",
        "street": "  Bến xe   Bãi Cháy ",
        **changes,
    }


def test_owner_creates_a_point_on_its_own_stock_location():
    operator = BusinessFactory(status=SellerStatus.ACTIVE)
    created = point_create(actor=member(operator, "manager"), business=operator, **_fields())
    location = created.location
    assert (location.business, location.kind, location.name, location.street) == (
        operator,
        StockLocationKind.POINT_OF_SALE,
        "Điểm bán OCOP Bãi Cháy",
        "Bến xe Bãi Cháy",
    )
    assert (str(created.latitude), str(created.longitude), created.phone, created.slug) == (
        "20.961800",
        "107.034500",
        "+842033846123",
        "diem-ban-ocop-bai-chay",
    )
    # Same name at another operator: its own slug.
    other = BusinessFactory(status=SellerStatus.ACTIVE)
    assert point_create(actor=member(other), business=other, **_fields()).slug == (
        "diem-ban-ocop-bai-chay-2"
    )


def test_staff_role_and_inactive_operators_are_refused():
    operator = BusinessFactory(status=SellerStatus.ACTIVE)
    with pytest.raises(DomainError) as denied:
        point_create(actor=member(operator, "staff"), business=operator, **_fields())
    assert denied.value.code == "permission_denied"
    pending = BusinessFactory(status=SellerStatus.VERIFIED)
    with pytest.raises(DomainError) as inactive:
        point_create(actor=member(pending), business=pending, **_fields())
    assert (inactive.value.code, inactive.value.field) == ("invalid_status", "operator")
    assert not StockLocation.objects.exists()


def test_every_bad_field_is_reported_at_once_and_nothing_written():
    operator = BusinessFactory(status=SellerStatus.ACTIVE)
    point(operator=operator, name="Điểm A")
    with pytest.raises(DomainError) as refused:
        point_create(
            actor=member(operator),
            business=operator,
            **_fields(
                name="Điểm A", kind="castle", latitude="107.03", longitude="20.96", phone="0162 1"
            ),
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("name", "duplicate"),
        ("kind", "invalid"),
        ("latitude", "out_of_range"),
        ("longitude", "out_of_range"),
        ("phone", "invalid"),
    ]
    assert str(refused.value.errors[2].message) == (
        "Vĩ độ 107.03 nằm ngoài Việt Nam (phải từ 6.0 đến 23.5): kiểm tra lại số và xem vĩ độ, "
        "kinh độ có bị đảo chỗ không."
    )
    assert StockLocation.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("21.0285", "21.028500"), (21.12345678, "21.123457"), ("6.0", "6.000000")],
)
def test_coordinates_are_stored_with_six_decimals(value, expected):
    assert str(coordinate_clean(value, field="latitude")) == expected


@pytest.mark.parametrize("value", ["", "abc", "NaN", "5.99", "23.51", True, None])
def test_bad_latitudes_are_refused(value):
    with pytest.raises(DomainError):
        coordinate_clean(value, field="latitude")


def test_update_keeps_the_name_unique_per_operator():
    operator = BusinessFactory(status=SellerStatus.ACTIVE)
    first = point(operator=operator, name="Điểm A")
    point(operator=operator, name="Điểm B")
    owner = member(operator)
    updated = point_update(actor=owner, point=first, **_fields(name="Điểm A", kind="market"))
    assert (updated.kind, updated.location.name) == ("market", "Điểm A")
    with pytest.raises(DomainError) as duplicate:
        point_update(actor=owner, point=first, **_fields(name="Điểm B"))
    assert duplicate.value.field == "name"


def test_hours_overlapping_across_midnight_are_refused():
    assert hours_clean([(4, "18:00", "02:00"), (5, "08:00", "12:00")]) == [
        (4, T(18), T(2)),
        (5, T(8), T(12)),
    ]
    with pytest.raises(DomainError) as overlap:
        hours_clean([(6, "20:00", "03:00"), (0, "02:00", "10:00")])
    assert (overlap.value.code, overlap.value.field) == ("overlap", "hours")
    with pytest.raises(DomainError):
        hours_clean([(7, "08:00", "10:00")])
    with pytest.raises(DomainError):
        hours_clean([(1, "8h", "10:00")])


def test_hours_set_replaces_the_week():
    created = point()
    location_hours_set(
        actor=member(created.location.business, "manager"),
        location=created.location,
        intervals=[(0, "07:30", "11:00"), (0, "13:00", "17:00")],
    )
    assert list(
        OpeningHours.objects.filter(location=created.location).values_list(
            "weekday", "opens", "closes"
        )
    ) == [(0, T(7, 30), T(11)), (0, T(13), T(17))]


def test_temporary_closure_needs_a_reason():
    created = point()
    owner = member(created.location.business)
    with pytest.raises(DomainError) as refused:
        point_status_set(actor=owner, point=created, status=PointStatus.TEMPORARILY_CLOSED)
    assert refused.value.field == "reason"
    point_status_set(
        actor=owner,
        point=created,
        status=PointStatus.TEMPORARILY_CLOSED,
        reason="Sửa chữa",
        reopens_on=datetime.date(2099, 1, 1),
    )
    created.refresh_from_db()
    assert (created.status, created.closure_reason) == ("temporarily_closed", "Sửa chữa")
    point_status_set(actor=owner, point=created, status=PointStatus.OPEN, reason="ignored")
    created.refresh_from_db()
    assert (created.status, created.closure_reason, created.reopens_on) == ("open", "", None)


def test_only_staff_recognise_and_suspend():
    created = point()
    with pytest.raises(DomainError):
        point_suspend(actor=member(created.location.business), point=created, reason="x")
    official = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as missing:
        point_recognise(actor=official, point=created, number="", date=None, body="")
    assert [e.field for e in missing.value.errors] == [
        "recognition_number",
        "recognition_body",
        "recognition_date",
    ]
    point_recognise(
        actor=official,
        point=created,
        number="1234/QĐ-UBND",
        date=datetime.date(2025, 5, 23),
        body="UBND tỉnh Quảng Ninh",
    )
    point_suspend(actor=official, point=created, reason="Sai địa chỉ")
    created.refresh_from_db()
    assert (created.is_recognised, created.suspension_reason) == (True, "Sai địa chỉ")
    point_reinstate(actor=official, point=created)
    created.refresh_from_db()
    assert (created.suspended_at, created.suspension_reason) == (None, "")
