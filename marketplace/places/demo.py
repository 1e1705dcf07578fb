"""Demo points of sale, loaded by ``load_demo_shop`` after the shop (a step registered with
``marketplace.offers.demo``).

The real places of ``data/points-of-sale.csv`` (OCOP-RULES.md §7; their coordinates are
approximate and marked so) plus two invented kiosks — a bus station and a highway rest stop. Every
operator is a demo business and all stock and hours are invented, so every point is ``is_demo``
and labelled so. The Hạ Long centre runs the Quảng Ninh points; one invented operator per other
province runs the rest, reselling demo products under the holders' authorisations. Running it
again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
from pathlib import Path

from django.utils import timezone

from catalog.models import Product
from catalog.selectors import certificates_in_force
from core.models import Province
from core.search import search_rows_changed
from core.text import fold, nfc, slugify_vi
from marketplace.offers.demo import CENTRE_NAME, demo_offer_price
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization, Stock
from marketplace.places.models import PointKind, PointOfSale
from marketplace.places.services import (
    location_exception_write,
    location_hours_write,
    point_write,
)
from sellers.models import Business, LegalType, SellerStatus, SellerType

DATA = Path(__file__).resolve().parent / "data" / "points-of-sale.csv"

# Province names as the CSV writes them → current province codes.
_PROVINCE_CODES = {"Quảng Ninh": "22", "Hà Nội": "01", "TP Hồ Chí Minh": "79"}
_OPERATORS = {
    "01": "Đơn vị vận hành điểm bán OCOP Hà Nội",
    "79": "Đơn vị vận hành điểm bán OCOP TP Hồ Chí Minh",
}
# Invented places, for the kinds the CSV lacks: name, kind, province code, street, commune,
# latitude, longitude.
KIOSKS = [
    (
        "Ki-ốt OCOP Bến xe Bãi Cháy",
        PointKind.BUS_STATION,
        "22",
        "Bến xe Bãi Cháy, Quốc lộ 18",
        "phường Bãi Cháy",
        "20.961800",
        "107.034500",
    ),
    (
        "Ki-ốt OCOP Trạm dừng nghỉ Pháp Vân – Cầu Giẽ",
        PointKind.HIGHWAY_REST_STOP,
        "01",
        "Cao tốc Pháp Vân – Cầu Giẽ, km 200",
        "xã Phú Xuyên",
        "20.812300",
        "105.901200",
    ),
]
PRODUCTS_PER_OPERATOR = 8
DISPLAYED = 3
TET_2027 = [datetime.date(2027, 2, 5), datetime.date(2027, 2, 6), datetime.date(2027, 2, 7)]


def _stable(text: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % (high - low + 1)


def _hours(kind: str) -> list[tuple]:
    if kind == PointKind.HIGHWAY_REST_STOP:
        return [(day, datetime.time(0), datetime.time(0)) for day in range(7)]  # all day
    if kind == PointKind.BUS_STATION:
        return [(day, datetime.time(5), datetime.time(21)) for day in range(7)]
    if kind == PointKind.MARKET:
        return [(day, datetime.time(6), datetime.time(18)) for day in range(7)]
    # A centre or shop: a lunch break on weekdays, open through the day at weekends.
    weekdays = [
        interval
        for day in range(5)
        for interval in (
            (day, datetime.time(8), datetime.time(11, 30)),
            (day, datetime.time(13, 30), datetime.time(21)),
        )
    ]
    return weekdays + [(day, datetime.time(8), datetime.time(21, 30)) for day in (5, 6)]


def _operator(code: str) -> Business:
    if code == "22":
        return Business.objects.get(name=CENTRE_NAME, is_demo=True)
    name = _OPERATORS[code]
    operator = Business.objects.filter(name=name, is_demo=True).first()
    if operator is None:
        operator = Business.objects.create(
            name=name,
            name_folded=fold(name),
            slug=f"{slugify_vi(name)}-demo",
            legal_type=LegalType.ENTERPRISE,
            province=Province.objects.get(code=code),
            status=SellerStatus.ACTIVE,
            seller_type=SellerType.POINT_OF_SALE,
            terms_accepted_at=timezone.now(),
            is_demo=True,
        )
    return operator


def _rows() -> list[dict]:
    rows = []
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": nfc(row["name"]),
                    "kind": row["kind"],
                    "code": _PROVINCE_CODES[row["province"]],
                    "street": "",
                    "commune": "",
                    "legacy_address": nfc(row["address_as_published"]),
                    "latitude": row["latitude"],
                    "longitude": row["longitude"],
                    "approximate": row["coordinates"] == "approximate",
                    "details": nfc(row["details"]),
                    "source": row["source"],
                }
            )
    for name, kind, code, street, commune, latitude, longitude in KIOSKS:
        rows.append(
            {
                "name": name,
                "kind": kind,
                "code": code,
                "street": street,
                "commune": commune,
                "legacy_address": "",
                "latitude": latitude,
                "longitude": longitude,
                "approximate": False,
                "details": "invented kiosk (demo)",
                "source": "",
            }
        )
    return rows


def _stock(point: PointOfSale, products: list[Product], *, n: int) -> bool:
    """Offers of the operator for ``n`` products (resold under authorisation unless it holds
    them) with units at the point; one in five rows left empty so "in stock" filters matter."""
    operator = point.location.business
    if operator.name == CENTRE_NAME:
        # The centre stocks its points with what the shop already has it resell, so the demo
        # catalogue's resale (and the storefront's "OCOP centre" filter) stays as it was.
        resold = set(
            Offer.objects.filter(seller=operator).values_list("variant__product", flat=True)
        )
        products = [product for product in products if product.pk in resold]
    changed = False
    start = _stable(point.slug, 0, max(len(products) - 1, 0))
    chosen = (products[start:] + products[:start])[:n]
    for product in chosen:
        if product.holder_id != operator.pk:
            ResaleAuthorization.objects.get_or_create(
                product=product, reseller=operator, revoked_at__isnull=True
            )
        variant = product.variants.all()[0]
        offer, created = Offer.objects.get_or_create(
            seller=operator,
            variant=variant,
            defaults={
                "price": demo_offer_price(variant) + 10_000,
                "status": OfferStatus.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        quantity = _stable(f"{point.slug}-{variant.pk}", 0, 40)
        _row, added = Stock.objects.get_or_create(
            offer=offer, location=point.location, defaults={"quantity": quantity * (quantity > 8)}
        )
        changed = changed or created or added
    return changed


def demo_points_load() -> list[str]:
    in_force = certificates_in_force().filter(product__is_demo=True).values("product_id")
    products = list(
        Product.objects.filter(pk__in=in_force, holder__is_demo=True)
        .prefetch_related("variants")
        .order_by("pk")
    )
    products = [product for product in products if product.variants.all()]
    created = 0
    changed = False
    for row in _rows():
        slug = slugify_vi(row["name"], max_length=120)
        point = PointOfSale.objects.filter(slug=slug).first()
        if point is None:
            point = point_write(
                business=_operator(row["code"]),
                name=row["name"],
                kind=row["kind"],
                province=Province.objects.get(code=row["code"]),
                commune=row["commune"],
                street=row["street"],
                legacy_address=row["legacy_address"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                description_en=row["details"],
                coordinates_approximate=row["approximate"],
                source_url=row["source"],
                is_demo=True,
            )
            location_hours_write(location=point.location, intervals=_hours(point.kind))
            if point.kind == PointKind.OCOP_CENTRE:
                for day in TET_2027:
                    location_exception_write(
                        location=point.location, date=day, closed=True, reason="Tết Nguyên đán"
                    )
                point.displayed_products.set(products[-DISPLAYED:])
            created += 1
        changed = _stock(point, products[:-DISPLAYED], n=PRODUCTS_PER_OPERATOR) or changed
    if changed:
        search_rows_changed(Product, [product.pk for product in products])
    return [f"Demo points of sale: {PointOfSale.objects.filter(is_demo=True).count()}"]
