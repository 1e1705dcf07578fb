"""Zones and booths: bulk creation, the CSV layout import, move, block and merge."""

from decimal import Decimal

import pytest

from marketplace.fairs.errors import FairError
from marketplace.fairs.layout import booth_layout_import
from marketplace.fairs.models import Booth, BoothStatus, FairStatus
from marketplace.fairs.services import (
    booth_block,
    booth_merge,
    booth_move,
    booths_create_bulk,
    zone_create,
)
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member

pytestmark = pytest.mark.django_db


def _zone(**fair):
    organiser, user = organiser_member()
    zone = ZoneFactory(fair=FairFactory(organiser=organiser, **fair), name="Khu A")
    return zone, user


def test_a_row_of_twenty_three_by_three_booths_from_a_01_to_a_40():
    zone, user = _zone(booth_fee=3_500_000)
    booths = booths_create_bulk(
        zone=zone, actor=user, prefix="a", first=1, last=40, width=3, depth=3, per_row=20
    )
    assert len(booths) == 40
    rows = list(Booth.objects.filter(zone=zone).order_by("code"))
    assert [b.code for b in rows[:2]] == ["A-01", "A-02"]
    assert rows[-1].code == "A-40"
    assert {(b.width, b.height, b.area_m2, b.price) for b in rows} == {
        (3, 3, Decimal("9.0"), 3_500_000)
    }
    assert (rows[19].x, rows[19].y) == (57, 0)
    assert (rows[20].x, rows[20].y) == (0, 3)


def test_bulk_creation_refuses_taken_codes_and_overlaps_and_writes_nothing():
    zone, user = _zone()
    booths_create_bulk(zone=zone, actor=user, prefix="A", first=1, last=5, width=3, depth=3,
                       per_row=5)  # fmt: skip
    with pytest.raises(FairError) as refused:
        booths_create_bulk(zone=zone, actor=user, prefix="A", first=5, last=6, width=3, depth=3,
                           per_row=5, y=10)  # fmt: skip
    assert refused.value.code == "duplicate"
    assert "A-05" in str(refused.value.message)
    with pytest.raises(FairError) as refused:
        booths_create_bulk(zone=zone, actor=user, prefix="B", first=1, last=2, width=3, depth=3,
                           per_row=2, x=13, y=2)  # fmt: skip
    assert refused.value.code == "overlap"
    assert Booth.objects.filter(zone=zone).count() == 5


def test_the_layout_is_frozen_once_the_fair_runs():
    zone, user = _zone(status=FairStatus.RUNNING)
    with pytest.raises(FairError) as refused:
        booths_create_bulk(zone=zone, actor=user, prefix="A", first=1, last=2, width=3, depth=3,
                           per_row=2)  # fmt: skip
    assert refused.value.code == "layout_closed"
    with pytest.raises(FairError):
        zone_create(fair=zone.fair, actor=user, name="Khu B", kind="food")


def test_zone_names_are_unique_in_a_fair():
    zone, user = _zone()
    food = zone_create(fair=zone.fair, actor=user, name=" Ẩm thực ", kind="food", colour="#ff9800")
    assert (food.name, food.position) == ("Ẩm thực", 1)
    with pytest.raises(FairError) as refused:
        zone_create(fair=zone.fair, actor=user, name="Ẩm thực", kind="food")
    assert refused.value.code == "duplicate"


LAYOUT = """khu,mã gian hàng,diện tích,giá,x,y,rộng,sâu,giữ cho,khóa
Khu A,a-01,9,2.000.000,0,0,3,3,,
Khu A,A-02,9,,3,0,3,3,Cụm Tiên Yên,
Khu A,A-03,"13,5",3000000,6,0,3,3,,có
"""


def test_a_csv_layout_creates_every_booth():
    zone, user = _zone(booth_fee=1_800_000)
    report = booth_layout_import(fair=zone.fair, actor=user, content=LAYOUT.encode("utf-8-sig"))
    assert report.errors == []
    assert report.created == 3
    booths = {b.code: b for b in zone.fair.booths.all()}
    assert booths["A-01"].price == 2_000_000
    assert (booths["A-02"].price, booths["A-02"].status, booths["A-02"].held_for) == (
        1_800_000, BoothStatus.HELD, "Cụm Tiên Yên"
    )  # fmt: skip
    assert (booths["A-03"].area_m2, booths["A-03"].status) == (Decimal("13.5"), "blocked")


def test_a_csv_layout_with_mistakes_writes_nothing_and_names_every_row_and_column():
    zone, user = _zone()
    BoothFactory(zone=zone, code="A-09", x=30, y=30)
    bad = (
        "zone,code,area_m2,price,x,y,width,height\n"
        "Khu Z,A-01,9,1,0,0,3,3\n"
        "Khu A,A-09,nine,1,0,0,3,3\n"
        "Khu A,A-02,9,-5,0,0,0,3\n"
    )
    report = booth_layout_import(fair=zone.fair, actor=user, content=bad)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "zone"),
        (3, "code"),
        (3, "area_m2"),
        (4, "width"),
        (4, "price"),
    ]
    assert report.created == 0
    assert zone.fair.booths.count() == 1
    overlapping = "zone,code,area_m2,x,y,width,height\nKhu A,A-01,9,0,0,3,3\nKhu A,A-02,9,2,2,3,3\n"
    report = booth_layout_import(fair=zone.fair, actor=user, content=overlapping)
    assert [(e.row, e.column) for e in report.errors] == [(0, "x")]
    assert zone.fair.booths.count() == 1
    with pytest.raises(FairError) as refused:
        booth_layout_import(fair=zone.fair, actor=user, content="code,x\nA-01,1\n")
    assert refused.value.field == "file"


def test_move_block_hold_and_merge_before_opening():
    zone, user = _zone()
    a1, a2, a3 = booths_create_bulk(zone=zone, actor=user, prefix="A", first=1, last=3, width=3,
                                    depth=3, per_row=3)  # fmt: skip
    with pytest.raises(FairError) as refused:
        booth_move(booth=a3, actor=user, x=4, y=0)
    assert refused.value.code == "overlap"
    moved = booth_move(booth=a3, actor=user, x=20, y=0)
    assert (moved.x, moved.y) == (20, 0)
    blocked = booth_block(booth=a3, actor=user)
    assert blocked.status == BoothStatus.BLOCKED
    held = booth_block(booth=a3, actor=user, blocked=False, held_for="Cụm Vân Đồn")
    assert (held.status, held.held_for) == (BoothStatus.HELD, "Cụm Vân Đồn")
    with pytest.raises(FairError) as refused:
        booth_merge(booths=[a1, a3], actor=user)
    assert refused.value.code == "assigned"  # a held booth is not free to merge
    booth_block(booth=a3, actor=user, blocked=False)
    with pytest.raises(FairError) as refused:
        booth_merge(booths=[a1, a3], actor=user)
    assert refused.value.code == "not_adjacent"
    merged = booth_merge(booths=[a2, a1], actor=user)
    assert (merged.code, merged.x, merged.width, merged.height) == ("A-01", 0, 6, 3)
    assert (merged.area_m2, merged.price) == (Decimal("18"), 4_000_000)
    assert sorted(zone.fair.booths.values_list("code", flat=True)) == ["A-01", "A-03"]
