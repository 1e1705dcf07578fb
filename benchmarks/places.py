"""Benchmark: near me and the ``/diem-ban/`` page over 10,000 points of sale and 200,000 stock rows.

    .venv/bin/python benchmarks/places.py                 # PostgreSQL, builds ocop_bench_places
    .venv/bin/python benchmarks/places.py --keep          # reuse it when seeded
    .venv/bin/python benchmarks/places.py --sqlite        # a throwaway SQLite file instead
    # options: --points 10000 --stock-per-point 20 --products 4000 --rounds 200 --seed 7
    #          --database-url postgres://postgres@127.0.0.1:5432/ocop_bench_places

Seeds the storefront benchmark's catalogue (``storefront_data.seed``: sellers over the 34
provinces, certified products with two packs, holders' and authorised resellers' offers), then
``--points`` points of sale spread over the 34 provinces (scattered up to ≈40 km around each
province's administrative centre, ``places/data/province-centres.csv``), each the stock location
of one seller (round robin), with a week of opening hours, and ``--stock-per-point`` stock rows
per point from its operator's own offers (10,000 × 20 = 200,000 rows).

Times, in-process and with the catalogue cache off (``CATALOGUE_CACHE_TIMEOUT=0``):

- **near me**: what ``/diem-ban/?lat=&lng=&product=&in_stock=on`` does before rendering —
  ``points_filter(product=…, in_stock=True)``, ``points_by_distance`` (radius 50 km: the
  bounding-box prefilter on the coordinate index, then haversine), ``points_for_page`` for the
  first 24 and their open-now state — from a position a few km from a point that stocks the
  product, a different product each call. Prints p50/p95 and the SQL statements per call.
- **``/diem-ban/``**: the whole page through the Django test client (form, filters, page of 24,
  map JSON, template), the plain list and the near-me form of it.

Run and reported, never asserted (not under tests/). Targets (issue 16): near me p50 ≤ 15 ms,
the page p50 ≤ 40 ms.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench_places"
BATCH = 5000
KINDS = [
    "ocop_centre",
    "tourist_site",
    "bus_station",
    "highway_rest_stop",
    "supermarket",
    "market",
    "craft_village",
    "hotel_restaurant",
]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return f"p50 {at(50):6.2f} ms · p95 {at(95):6.2f} ms · n={len(ordered)}"


def seed_points(*, points: int, stock_per_point: int, rng: random.Random) -> dict:
    """Points of sale, their hours and their stock over an already seeded catalogue."""
    from django.db import connection, transaction

    from marketplace.offers.models import Offer, Stock, StockLocation, StockLocationKind
    from marketplace.places.models import OpeningHours, PointOfSale
    from marketplace.places.selectors import _province_centres
    from sellers.models import Business

    centres = _province_centres()
    businesses = list(Business.objects.select_related("province").order_by("pk"))
    offers_of: dict[int, list[int]] = {}
    for offer_id, seller_id in Offer.objects.values_list("pk", "seller_id").order_by("pk"):
        offers_of.setdefault(seller_id, []).append(offer_id)
    sellers = [b for b in businesses if len(offers_of.get(b.pk, ())) >= stock_per_point]
    provinces = sorted({b.province for b in businesses}, key=lambda p: p.code)
    with transaction.atomic():
        locations = []
        for i in range(points):
            business = sellers[i % len(sellers)]
            province = provinces[i % len(provinces)]
            locations.append(
                StockLocation(
                    business=business,
                    name=f"Điểm bán OCOP {i + 1}",
                    kind=StockLocationKind.POINT_OF_SALE,
                    province=province,
                    commune=f"Phường {i % 97 + 1}",
                    street=f"{i % 300 + 1} đường Trần Phú",
                )
            )
        StockLocation.objects.bulk_create(locations, batch_size=BATCH)
        rows = []
        for i, location in enumerate(locations):
            lat, lng = centres[str(location.province.code).zfill(2)]
            rows.append(
                PointOfSale(
                    location=location,
                    kind=KINDS[i % len(KINDS)],
                    slug=f"diem-ban-ocop-{i + 1}",
                    latitude=round(lat + rng.uniform(-0.36, 0.36), 6),
                    longitude=round(lng + rng.uniform(-0.36, 0.36), 6),
                )
            )
        PointOfSale.objects.bulk_create(rows, batch_size=BATCH)
        hours = [
            OpeningHours(
                location=location,
                weekday=day,
                opens=datetime.time(7, 30),
                closes=datetime.time(21, 0) if i % 5 else datetime.time(2, 0),
            )
            for i, location in enumerate(locations)
            for day in range(7)
        ]
        OpeningHours.objects.bulk_create(hours, batch_size=BATCH)
        stocks = []
        for location in locations:
            for offer_id in rng.sample(offers_of[location.business_id], stock_per_point):
                stocks.append(
                    Stock(offer_id=offer_id, location=location, quantity=rng.randint(0, 60))
                )
        Stock.objects.bulk_create(stocks, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"points": len(rows), "opening hours": len(hours), "point stock rows": len(stocks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--stock-per-point", type=int, default=20)
    parser.add_argument("--products", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded PostgreSQL database")
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from storefront_data import bench_database, run_manage, seed

    url, reuse = bench_database(
        sqlite=args.sqlite, database_url=args.database_url, keep=args.keep, prefix="ocop-places-"
    )
    settings_env = {"DATABASE_URL": url, "DEBUG": "false", "CATALOGUE_CACHE_TIMEOUT": "0"}
    os.environ.update(settings_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    run_manage({**os.environ}, "migrate", "--verbosity=0")

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one log line per request otherwise
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from catalog.models import Product
    from marketplace.offers.models import Stock
    from marketplace.places.models import PointOfSale
    from marketplace.places.selectors import (
        point_open_state,
        points_by_distance,
        points_filter,
        points_for_page,
    )

    rng = random.Random(args.seed)
    if reuse and PointOfSale.objects.exists():
        print(f"reusing {url}: {PointOfSale.objects.count():,} points")
    else:
        started = time.perf_counter()
        counts = seed(products=args.products, offers_per_product=3, rng=rng)
        counts.update(
            seed_points(points=args.points, stock_per_point=args.stock_per_point, rng=rng)
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")
    at_points = Stock.objects.filter(location__point_of_sale__isnull=False).count()
    print(
        f"{connection.vendor}: {PointOfSale.objects.count():,} points, "
        f"{Stock.objects.count():,} stock rows ({at_points:,} at points)"
    )

    # Near-me cases: a product in stock at some point, and a position ≈ 3–8 km from that point.
    stocked = list(
        Stock.objects.filter(quantity__gt=0, location__point_of_sale__isnull=False)
        .values_list(
            "offer__variant__product_id",
            "location__point_of_sale__latitude",
            "location__point_of_sale__longitude",
        )
        .order_by("pk")
    )
    cases = []
    for product_id, lat, lng in rng.sample(stocked, min(args.rounds, len(stocked))):
        cases.append(
            (
                product_id,
                float(lat) + rng.choice((-1, 1)) * rng.uniform(0.03, 0.07),
                float(lng) + rng.choice((-1, 1)) * rng.uniform(0.03, 0.07),
            )
        )
    products = Product.objects.in_bulk([case[0] for case in cases])

    def near_me(product_id: int, lat: float, lng: float) -> int:
        now = timezone.now()
        points = points_filter(product=products[product_id], in_stock=True, at=now)
        found = points_by_distance(points, latitude=lat, longitude=lng, radius_km=50)
        rows = points_for_page([pk for pk, _d in found[:24]], at=now)
        for point in rows:
            point_open_state(point, at=now)
        return len(found)

    for case in cases[:10]:  # warm-up
        near_me(*case)
    with CaptureQueriesContext(connection) as captured:
        near_me(*cases[0])
    near_sql = len(captured.captured_queries)
    samples, sizes = [], []
    for case in cases:
        started = time.perf_counter()
        sizes.append(near_me(*case))
        samples.append((time.perf_counter() - started) * 1000)
    sizes.sort()
    print(
        f"near me (50 km, product in stock; {near_sql} SQL; points found: median "
        f"{sizes[len(sizes) // 2]}, max {sizes[-1]}): {percentiles(samples)}"
    )

    # No setup_test_environment(): it instruments every template render (the test client keeps
    # a copy of each context for assertions), which no server does; storefront_cpu.py and the
    # other in-process benchmarks measure without it too.
    client = Client()
    page_rounds = max(20, args.rounds // 4)
    pages = {
        "/diem-ban/": ["/diem-ban/"] + [f"/diem-ban/?page={n}" for n in range(2, 6)],
        "/diem-ban/?lat=&lng= (50 km)": [
            f"/diem-ban/?lat={lat:.6f}&lng={lng:.6f}" for _p, lat, lng in cases
        ],
        "/diem-ban/?lat=&lng=&product=&in_stock=on": [
            f"/diem-ban/?lat={lat:.6f}&lng={lng:.6f}&product={products[product_id].slug}"
            "&in_stock=on"
            for product_id, lat, lng in cases
        ],
    }
    for label, urls in pages.items():
        for url in urls[:5]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(urls[0])
        page_sql = len(captured.captured_queries)
        samples = []
        for n in range(page_rounds):
            started = time.perf_counter()
            client.get(urls[n % len(urls)])
            samples.append((time.perf_counter() - started) * 1000)
        print(f"page {label} ({page_sql} SQL, uncached): {percentiles(samples)}")


if __name__ == "__main__":
    main()
