"""Demo fairs, loaded by ``load_demo_shop`` after the shop and the points of sale (a step
registered with ``marketplace.offers.demo``).

The fairs of ``data/fairs.csv`` (OCOP-RULES.md §7: a copy of ``shared/data/fairs.csv``), each
with its source on its page, under their real organisers. Two get a floor plan: the Đông Bắc
2024 fair (its four zones — 13 Quảng Ninh district clusters, 100 booths; other provinces and
partner regions, 150; consumer services and e-commerce, 7; the stage) with the demo sellers
assigned, and the next Quảng Ninh summer fair (the CSV's "every year" row, dated from the day the
demo is loaded), taking applications, with a zone per international partner (OVOP Japan, OTOP
Thailand, China, Taiwan, Laos: three booths each) and the demo sellers applied, waitlisted and
assigned. Thái Nguyên's festivals are fairs without dates or a plan.
A fair held at a fair and exhibition centre that the demo points of sale hold (matched by the
venue's name) takes its venue from that point; the points data has none today, so the Quảng Ninh
fairs keep the CSV's address. Booth positions, fees, the upcoming dates and every application are
invented, so every row is ``is_demo``. Running it again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.models import Certificate, CertificateStatus
from core.models import Province
from core.search import search_rows_changed
from core.text import fold, nfc, slugify_vi
from marketplace.fairs.models import (
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothStatus,
    ExhibitorApplication,
    Fair,
    FairStatus,
    Organiser,
    OrganiserKind,
    ProgrammeItem,
    Zone,
    ZoneKind,
)
from marketplace.fairs.services import booth_location_open
from marketplace.offers.models import Offer, Stock
from marketplace.offers.selectors import offers_visible
from marketplace.places.models import PointKind, PointOfSale
from sellers.models import Business

DATA = Path(__file__).resolve().parent / "data" / "fairs.csv"
_PROVINCE_CODES = {"Quảng Ninh": "22", "TP Hồ Chí Minh": "79", "Thái Nguyên": "19"}
DONG_BAC = "Hội chợ OCOP khu vực Đông Bắc 2024"
SUMMER_ROW = "Hội chợ OCOP Quảng Ninh hè (every year; partners every two years)"
SUMMER_SLUG = "hoi-cho-ocop-quang-ninh-he-demo"
# Units each accepted exhibitor of the summer fair brings to its booth (invented, like the shop's).
SUMMER_BOOTH_STOCK = 12
# The summer fair's international partners (the CSV's notes: OVOP Japan, OTOP Thailand, China,
# Taiwan, Laos), each a zone of its own: its name, its booths' code prefix (ISO country code),
# its colour.
SUMMER_PARTNERS = [
    ("OVOP (Nhật Bản)", "JP", "#ef6c00"),
    ("OTOP (Thái Lan)", "TH", "#f9a825"),
    ("Trung Quốc", "CN", "#ad1457"),
    ("Đài Loan", "TW", "#00838f"),
    ("Lào", "LA", "#558b2f"),
]
PARTNER_BOOTHS = 3
# The 13 district-level units of Quảng Ninh in 2024, one designed cluster each.
DISTRICTS = [
    "Hạ Long", "Cẩm Phả", "Uông Bí", "Móng Cái", "Đông Triều", "Quảng Yên", "Vân Đồn",
    "Cô Tô", "Tiên Yên", "Đầm Hà", "Hải Hà", "Bình Liêu", "Ba Chẽ",
]  # fmt: skip


def _rows() -> list[dict]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return [{k: nfc(v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _organiser(name: str, province: Province) -> Organiser:
    kind = OrganiserKind.DEPARTMENT if name.startswith("Sở") else OrganiserKind.PEOPLES_COMMITTEE
    organiser, _created = Organiser.objects.get_or_create(
        name=name,
        defaults={
            "slug": slugify_vi(name, max_length=200),
            "kind": kind,
            "province": province,
            "approved_at": timezone.now(),
            "is_demo": True,
        },
    )
    return organiser


def _status(starts, ends, today) -> str:
    if starts is None:
        return FairStatus.PUBLISHED
    if ends < today:
        return FairStatus.FINISHED
    if starts <= today:
        return FairStatus.RUNNING
    return FairStatus.PUBLISHED


def _descriptions(row: dict) -> tuple[str, str]:
    facts_en = [
        f"{row['booths']} booths." if row["booths"] else "",
        f"Zones: {row['zones']}." if row["zones"] else "",
        row["notes"],
        f"Source: {row['source']}",
    ]
    facts_vi = [
        f"Quy mô: {row['booths']} gian hàng." if row["booths"] else "",
        f"Nguồn: {row['source']}",
    ]
    return "\n".join(f for f in facts_vi if f), "\n".join(f for f in facts_en if f)


def _booths(zone: Zone, prefix: str, count: int, *, x: int, y: int, per_row: int, price: int):
    digits = max(2, len(str(count)))
    Booth.objects.bulk_create(
        Booth(
            fair=zone.fair,
            zone=zone,
            code=f"{prefix}-{n + 1:0{digits}d}",
            area_m2=Decimal(9),
            price=price,
            x=x + (n % per_row) * 3,
            y=y + (n // per_row) * 3,
            width=3,
            height=3,
        )
        for n in range(count)
    )


def _stage(zone: Zone, *, x: int, y: int, width: int) -> None:
    Booth.objects.create(
        fair=zone.fair, zone=zone, code="SK", area_m2=Decimal(width * 6), price=0,
        x=x, y=y, width=width, height=6, status=BoothStatus.BLOCKED,
    )  # fmt: skip


def _zones(fair: Fair, spec: list[tuple[str, str, str]]) -> list[Zone]:
    return [
        Zone.objects.create(fair=fair, name=name, kind=kind, colour=colour, position=n)
        for n, (name, kind, colour) in enumerate(spec)
    ]


def _dong_bac_plan(fair: Fair) -> None:
    clusters, provinces, services, stage = _zones(
        fair,
        [
            ("13 cụm huyện, thị xã, thành phố Quảng Ninh", ZoneKind.LOCALITY, "#2e7d32"),
            ("Các tỉnh, doanh nghiệp và vùng đối tác", ZoneKind.PROVINCES, "#1565c0"),
            ("Bảo vệ người tiêu dùng, thương mại điện tử", ZoneKind.SERVICES, "#6a1b9a"),
            ("Sân khấu, màn hình LED", ZoneKind.STAGE, "#c62828"),
        ],
    )
    _booths(clusters, "A", 100, x=0, y=0, per_row=20, price=0)
    # Each district's designed cluster: its run of booths is held for it.
    booths = list(clusters.booths.order_by("code"))
    for n, booth in enumerate(booths):
        booth.status = BoothStatus.HELD
        booth.held_for = DISTRICTS[n * len(DISTRICTS) // len(booths)]
    Booth.objects.bulk_update(booths, ["status", "held_for"])
    _booths(provinces, "B", 150, x=0, y=18, per_row=25, price=0)
    _booths(services, "C", 7, x=63, y=0, per_row=1, price=0)
    _stage(stage, x=69, y=0, width=12)


def _summer_plan(fair: Fair) -> None:
    local, provinces, *partners, food, stage = _zones(
        fair,
        [
            ("Khu OCOP Quảng Ninh", ZoneKind.LOCALITY, "#2e7d32"),
            ("Khu các tỉnh bạn", ZoneKind.PROVINCES, "#1565c0"),
            *[
                (f"Khu đối tác {name}", ZoneKind.INTERNATIONAL, colour)
                for name, _prefix, colour in SUMMER_PARTNERS
            ],
            ("Phố ẩm thực", ZoneKind.FOOD, "#8d6e63"),
            ("Sân khấu", ZoneKind.STAGE, "#c62828"),
        ],
    )
    _booths(local, "A", 40, x=0, y=0, per_row=20, price=fair.booth_fee)
    _booths(provinces, "B", 20, x=0, y=9, per_row=20, price=fair.booth_fee)
    # A row of partner zones under the provinces, a gap of one booth between two partners.
    for n, zone in enumerate(partners):
        prefix, x = SUMMER_PARTNERS[n][1], n * (PARTNER_BOOTHS + 1) * 3
        _booths(
            zone, prefix, PARTNER_BOOTHS, x=x, y=15, per_row=PARTNER_BOOTHS, price=fair.booth_fee
        )
    _booths(food, "F", 10, x=63, y=0, per_row=2, price=fair.booth_fee // 2)
    _stage(stage, x=63, y=18, width=12)


def _exhibitors() -> list[tuple[Business, list]]:
    """Demo sellers with offers on sale, each with its offers (one query)."""
    offers = (
        offers_visible()
        .filter(seller__is_demo=True)
        .select_related("seller__province")
        .order_by("seller__name", "pk")
    )
    sellers: dict[int, tuple[Business, list]] = {}
    for offer in offers:
        sellers.setdefault(offer.seller_id, (offer.seller, []))[1].append(offer)
    return list(sellers.values())


def _apply(fair: Fair, seller: Business, offers: list, status: str, when) -> ExhibitorApplication:
    application = ExhibitorApplication.objects.create(
        fair=fair,
        seller=seller,
        status=status,
        waitlisted_at=when if status == ApplicationStatus.WAITLISTED else None,
        note="Dữ liệu mẫu",
    )
    application.offers.set(offers[:3])
    return application


def _assign(application: ExhibitorApplication, booth: Booth, *, stock: int = 0) -> None:
    """Assign as the organiser would, the exhibitor's booth location opened by the same service
    (``booth_location_open``); with ``stock``, the exhibitor brings that many units of its first
    offer to the booth, so the demo's product pages say "at booth A-01, <fair>"."""
    assignment = BoothAssignment.objects.create(
        booth=booth, application=application, amount_due=booth.price
    )
    booth.status = BoothStatus.ASSIGNED
    booth.save(update_fields=["status"])
    location = booth_location_open(assignment=assignment)
    offer = application.offers.order_by("pk").first()
    if stock and offer is not None:
        Stock.objects.create(offer=offer, location=location, quantity=stock)
        search_rows_changed(Offer, [offer.pk])


def _dong_bac_exhibitors(fair: Fair, exhibitors) -> None:
    local = [e for e in exhibitors if e[0].province.code == "22"]
    others = [e for e in exhibitors if e[0].province.code != "22"]
    free_a = list(fair.booths.filter(code__startswith="A-").order_by("code"))
    free_b = list(fair.booths.filter(code__startswith="B-").order_by("code"))
    for n, (seller, offers) in enumerate(local[:12]):
        _assign(_apply(fair, seller, offers, ApplicationStatus.ACCEPTED, None), free_a[n * 8])
    for n, (seller, offers) in enumerate(others[:12]):
        _assign(_apply(fair, seller, offers, ApplicationStatus.ACCEPTED, None), free_b[n * 2])
    # "39–40 products recognised ★4 announced at the fair": the demo ★4 certificates stand in.
    item = ProgrammeItem.objects.create(
        fair=fair,
        title="Công bố sản phẩm OCOP đạt 4 sao (dữ liệu mẫu)",
        day=fair.starts_on,
    )
    item.certificates.set(
        Certificate.objects.filter(
            product__is_demo=True, stars=4, status=CertificateStatus.ACTIVE
        ).order_by("pk")[:39]
    )


def _summer_exhibitors(fair: Fair, exhibitors) -> None:
    now = timezone.now()
    booths = list(fair.booths.filter(code__startswith="A-").order_by("code"))
    for n, (seller, offers) in enumerate(exhibitors[:10]):
        if n < 4:
            _assign(
                _apply(fair, seller, offers, ApplicationStatus.ACCEPTED, None),
                booths[n],
                stock=SUMMER_BOOTH_STOCK,
            )
        elif n < 6:
            _apply(fair, seller, offers, ApplicationStatus.WAITLISTED, now)
        else:
            _apply(fair, seller, offers, ApplicationStatus.SUBMITTED, None)


def _venue_point(venue: str, province: Province) -> PointOfSale | None:
    """The fair and exhibition centre among the demo points of sale whose name the CSV's venue
    starts with ("Cung Quy hoạch, Hội chợ và Triển lãm tỉnh, …"), if the points data has one."""
    folded = fold(venue)
    for point in PointOfSale.objects.filter(
        kind=PointKind.FAIR_CENTRE, location__province=province
    ).select_related("location"):
        if folded.startswith(fold(point.location.name)):
            return point
    return None


@transaction.atomic
def demo_fairs_load() -> list[str]:
    today = timezone.localdate()
    exhibitors = _exhibitors()
    for row in _rows():
        province = Province.objects.get(code=_PROVINCE_CODES[row["province"]])
        organiser = _organiser(row["organiser"], province)
        starts, ends = _date(row["starts"]), _date(row["ends"])
        description_vi, description_en = _descriptions(row)
        fields = {
            "name": row["fair"],
            "slug": slugify_vi(row["fair"], max_length=200),
            "status": _status(starts, ends, today),
            "starts_on": starts,
            "ends_on": ends,
        }
        if row["fair"] == SUMMER_ROW:
            # The yearly fair's next edition, two months from the day the demo is loaded.
            starts = today + datetime.timedelta(days=60)
            fields = {
                "name": f"Hội chợ OCOP Quảng Ninh hè {starts.year}",
                "slug": SUMMER_SLUG,
                "status": FairStatus.APPLICATIONS_OPEN,
                "starts_on": starts,
                "ends_on": starts + datetime.timedelta(days=5),
                "applications_open_on": today - datetime.timedelta(days=7),
                "applications_close_on": starts - datetime.timedelta(days=14),
                "opens_at": datetime.time(8),
                "closes_at": datetime.time(22),
                "booth_fee": 2_000_000,
                "partners": [name for name, _prefix, _colour in SUMMER_PARTNERS],
            }
        if Fair.objects.filter(slug=fields["slug"]).exists():
            continue
        venue = row["venue"]
        point = _venue_point(venue, province)
        fair = Fair.objects.create(
            organiser=organiser,
            province=province,
            venue_point=point,
            venue_address="" if point else venue,
            description_vi=description_vi,
            description_en=description_en,
            is_demo=True,
            **fields,
        )
        if row["fair"] == DONG_BAC:
            fair.partners = ["Lào", "Quảng Tây (Trung Quốc)", "Vân Nam (Trung Quốc)", "Pakistan"]
            fair.save(update_fields=["partners"])
            _dong_bac_plan(fair)
            _dong_bac_exhibitors(fair, exhibitors)
        elif fair.slug == SUMMER_SLUG:
            _summer_plan(fair)
            _summer_exhibitors(fair, exhibitors)
    fairs = Fair.objects.filter(is_demo=True)
    return [
        f"Demo fairs: {fairs.count()} "
        f"({Booth.objects.filter(fair__in=fairs).count()} booths, "
        f"{ExhibitorApplication.objects.filter(fair__in=fairs).count()} applications)"
    ]
