"""Benchmark: a fair's page, its booth map SVG and its exhibitor search at 300 booths.

    .venv/bin/python benchmarks/fairs.py                  # PostgreSQL, builds ocop_bench_fairs
    .venv/bin/python benchmarks/fairs.py --keep           # reuse it when seeded
    .venv/bin/python benchmarks/fairs.py --sqlite         # a throwaway SQLite file instead
    .venv/bin/python benchmarks/fairs.py --keep --profile page   # cProfile of one target
    # options: --booths 300 --products-per-exhibitor 5 --rounds 200 --seed 7
    #          --database-url postgres://postgres@127.0.0.1:5432/ocop_bench_fairs

Seeds one fair taking applications (as a visitor sees it before it opens) with ``--booths``
booths in four zones (the Đông Bắc 2024 fair's shape: three locality clusters and the other
provinces, rows of 15 booths of 3×3 m) and as many exhibitors: active sellers over the 34
provinces, each with ``--products-per-exhibitor`` certified products (★3–★5, a certificate in
force each, one published offer each), each applying with all its offers and assigned one booth
(300 × 5 = 1,500 products brought). Bulk-created (``bulk_create``), not through the services:
the benchmark measures reads.

Times, in-process through Django's test client with ``DEBUG=false`` and the catalogue cache off
(``CATALOGUE_CACHE_TIMEOUT=0``; the fair pages are not page-cached), ``--rounds`` requests each:

- the fair page ``/hoi-cho/<slug>/`` (facts, zones, the inline booth map of every booth, the
  programme, the first 30 exhibitors with their products and stars);
- the booth map alone ``/hoi-cho/<slug>/so-do.svg``;
- the exhibitor search on the fair page (``?q=`` a seller's name, ``?q=`` a product, ``?tinh=``
  a province, ``?sao=5``), rotating through the values: the exhibitors found alone, without the
  booth map. A search reads the fair's exhibitor index, kept per catalogue version
  (``catalogue_local``); each search is timed twice: with the index current, and "cold", the
  index forgotten before every request (as after each committed catalogue write), so that the
  request builds it;
- the search itself (``fair_exhibitors_search`` with its index current: the page of exhibitors
  it builds, without the page's markup).

Prints per target the SQL statements of one request, p50/p95 wall time and the median CPU time
of this process (``time.process_time``: the figure a loaded machine disturbs least; PostgreSQL's
own CPU is another process). Run and reported, never asserted (not under tests/). Targets
(issue 17): fair page and SVG p50 ≤ 40 ms uncached, exhibitor search ≤ 20 ms.
"""

import argparse
import cProfile
import datetime
import gc
import os
import pstats
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench_fairs"
BATCH = 5000
FAIR_SLUG = "hoi-cho-ocop-benchmark"
ZONES = [
    ("Cụm Tiên Yên – Bình Liêu", "locality", "#2e7d32"),
    ("Cụm Móng Cái – Hải Hà", "locality", "#1565c0"),
    ("Cụm Đông Triều – Uông Bí", "locality", "#ef6c00"),
    ("Các tỉnh bạn", "provinces", "#6a1b9a"),
]
ROW = 15  # booths per row


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return f"p50 {at(50):6.2f} ms · p95 {at(95):6.2f} ms · n={len(ordered)}"


def seed_fair(*, booths: int, products_per_exhibitor: int, rng: random.Random) -> dict:
    """The fair, its zones and booths, the exhibitors with their certified products and offers,
    their applications and booth assignments. Assumes a freshly migrated database."""
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone
    from storefront_data import (
        PACKS,
        PLACES,
        PREFIXES,
        PRODUCT_WORDS,
        certificate_for,
        seller_for,
    )

    from catalog.models import (
        Certificate,
        Decision,
        Evaluation,
        Framework,
        Product,
        ProductSet,
        ProductVariant,
    )
    from core.models import Province
    from core.text import fold, slugify_vi
    from marketplace.fairs.models import (
        ApplicationStatus,
        Booth,
        BoothAssignment,
        BoothStatus,
        ExhibitorApplication,
        Fair,
        FairStatus,
        Organiser,
        Zone,
    )
    from marketplace.offers.models import Offer, Stock, StockLocation
    from sellers.models import Business

    today = timezone.localdate()
    now = timezone.now()
    provinces = list(Province.objects.order_by("code"))
    quang_ninh = next((p for p in provinces if p.code == "22"), provinces[0])
    framework = Framework.objects.get(code="QD26-2026")
    product_sets = list(ProductSet.objects.filter(framework=framework))
    counts: dict[str, int] = {}
    with transaction.atomic():
        organiser = Organiser.objects.create(
            name="Sở Công Thương (benchmark)",
            slug="so-cong-thuong-benchmark",
            kind="department",
            province=quang_ninh,
            approved_at=now,
        )
        fair = Fair.objects.create(
            name="Hội chợ OCOP vùng Đông Bắc (benchmark)",
            slug=FAIR_SLUG,
            organiser=organiser,
            venue_name="Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
            venue_address="Trần Quốc Nghiễn, Hạ Long",
            province=quang_ninh,
            latitude=Decimal("20.950000"),
            longitude=Decimal("107.080000"),
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=35),
            opens_at=datetime.time(8, 0),
            closes_at=datetime.time(22, 0),
            applications_close_on=today + datetime.timedelta(days=20),
            booth_fee=2_000_000,
            status=FairStatus.APPLICATIONS_OPEN,
            description_vi="Hội chợ đo hiệu năng: 300 gian hàng, 300 đơn vị, 1.500 sản phẩm.",
            partners=["OVOP Nhật Bản", "OTOP Thái Lan"],
        )
        zones = Zone.objects.bulk_create(
            [
                Zone(fair=fair, name=name, kind=kind, colour=colour, position=n)
                for n, (name, kind, colour) in enumerate(ZONES)
            ]
        )
        per_zone = -(-booths // len(zones))
        zone_rows = -(-per_zone // ROW)
        booth_rows = []
        for n in range(booths):
            z, k = divmod(n, per_zone)
            row, col = divmod(k, ROW)
            # Zones side by side in pairs, each row of booths followed by an aisle.
            origin_x = (z % 2) * (ROW * 3 + 4)
            origin_y = (z // 2) * (zone_rows * 5 + 4)
            booth_rows.append(
                Booth(
                    fair=fair,
                    zone=zones[z],
                    code=f"{'ABCD'[z]}-{k + 1:02d}",
                    area_m2=Decimal("9.0"),
                    price=2_000_000,
                    x=origin_x + col * 3,
                    y=origin_y + row * 5,
                    width=3,
                    height=3,
                    status=BoothStatus.ASSIGNED,
                )
            )
        Booth.objects.bulk_create(booth_rows, batch_size=BATCH)
        counts["booths"] = len(booth_rows)

        businesses = []
        for i in range(booths):
            name = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {i + 1}"
            businesses.append(
                seller_for(
                    name=name,
                    index=i,
                    province=provinces[i % len(provinces)],
                    now=now,
                    tax_base=5800000000,
                )
            )
        Business.objects.bulk_create(businesses, batch_size=BATCH)
        counts["exhibitors"] = len(businesses)
        locations = StockLocation.objects.bulk_create(
            [StockLocation(business=b, name="Kho chính", province=b.province) for b in businesses],
            batch_size=BATCH,
        )
        decision = Decision.objects.create(
            number="9998/QĐ-UBND",
            date=today - datetime.timedelta(days=400),
            issuer="UBND tỉnh (benchmark)",
            province=quang_ninh,
            framework=framework,
        )
        products = []
        for i in range(booths * products_per_exhibitor):
            name = f"{rng.choice(PRODUCT_WORDS)} {rng.choice(PLACES)} {i + 1}"
            products.append(
                Product(
                    name=name,
                    name_folded=fold(name),
                    slug=f"{slugify_vi(name)}-{i + 1}",
                    holder=businesses[i // products_per_exhibitor],
                    product_set=rng.choice(product_sets),
                    product_code=f"FAIR-{i + 1:06d}",
                )
            )
        Product.objects.bulk_create(products, batch_size=BATCH)
        counts["products"] = len(products)
        variants = ProductVariant.objects.bulk_create(
            [ProductVariant(product=p, name=rng.choice(PACKS), position=0) for p in products],
            batch_size=BATCH,
        )
        evaluations = []
        for product in products:
            stars = rng.choice([3, 3, 4, 4, 5])
            evaluations.append(
                Evaluation(
                    product=product,
                    framework=framework,
                    product_set=product.product_set,
                    level="province",
                    council="Hội đồng tỉnh (benchmark)",
                    evaluated_on=today - datetime.timedelta(days=rng.randint(30, 700)),
                    total_score=Decimal({3: "65.00", 4: "80.00", 5: "92.00"}[stars]),
                    band_stars=stars,
                    stars=stars,
                    decision=decision,
                )
            )
        Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
        certificates = []
        for i, evaluation in enumerate(evaluations):
            certificates.append(
                certificate_for(evaluation, number=f"FAIR-{i + 1:06d}", decision=decision)
            )
        Certificate.objects.bulk_create(certificates, batch_size=BATCH)
        counts["certificates"] = len(certificates)
        offers = Offer.objects.bulk_create(
            [
                Offer(
                    seller_id=v.product.holder_id,
                    variant=v,
                    price=rng.randint(30, 800) * 1000,
                    status="published",
                    published_at=now,
                )
                for v in variants
            ],
            batch_size=BATCH,
        )
        counts["offers"] = len(offers)
        location_of = {loc.business_id: loc for loc in locations}
        Stock.objects.bulk_create(
            [Stock(offer=o, location=location_of[o.seller_id], quantity=50) for o in offers],
            batch_size=BATCH,
        )
        applications = ExhibitorApplication.objects.bulk_create(
            [
                ExhibitorApplication(
                    fair=fair, seller=b, status=ApplicationStatus.ACCEPTED, booths_wanted=1
                )
                for b in businesses
            ],
            batch_size=BATCH,
        )
        through = ExhibitorApplication.offers.through
        through.objects.bulk_create(
            [
                through(exhibitorapplication_id=a.pk, offer_id=o.pk)
                for a, start in zip(
                    applications, range(0, len(offers), products_per_exhibitor), strict=True
                )
                for o in offers[start : start + products_per_exhibitor]
            ],
            batch_size=BATCH,
        )
        order = list(range(booths))
        rng.shuffle(order)  # exhibitors scattered over the zones
        staff = User.objects.create_user("benchmark-organiser")
        BoothAssignment.objects.bulk_create(
            [
                BoothAssignment(
                    booth=booth_rows[n],
                    application=applications[order[n]],
                    amount_due=2_000_000,
                    reference=f"GIANB{n:07d}",
                    pay_by=today + datetime.timedelta(days=10),
                    assigned_by=staff,
                )
                for n in range(booths)
            ],
            batch_size=BATCH,
        )
        counts["assignments"] = booths
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booths", type=int, default=300)
    parser.add_argument("--products-per-exhibitor", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded PostgreSQL database")
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile",
        choices=("page", "svg", "search"),
        help="print a cProfile of this target (--rounds requests) instead of timing",
    )
    args = parser.parse_args()

    from storefront_data import bench_database, machine_speed, run_manage

    url, reuse = bench_database(
        sqlite=args.sqlite, database_url=args.database_url, keep=args.keep, prefix="ocop-fairs-"
    )
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "CATALOGUE_CACHE_TIMEOUT": "0",
            "DB_CONN_MAX_AGE": "60",  # as in production (docker-compose.yml)
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    run_manage({**os.environ}, "migrate", "--verbosity=0")

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one log line per request otherwise
    from django.db import connection
    from django.test import Client

    from core.catalogue_cache import catalogue_local_clear
    from marketplace.fairs.models import Fair
    from marketplace.fairs.selectors import fair_exhibitors_search, fair_page

    rng = random.Random(args.seed)
    if reuse and Fair.objects.filter(slug=FAIR_SLUG).exists():
        print(f"reusing {url}")
    else:
        started = time.perf_counter()
        counts = seed_fair(
            booths=args.booths, products_per_exhibitor=args.products_per_exhibitor, rng=rng
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")
    page = fair_page(slug=FAIR_SLUG)
    products = sum(len(e.products) for e in page.exhibitors)
    print(
        f"{connection.vendor}: {len(page.booths)} booths in {len(page.zones)} zones, "
        f"{len(page.exhibitors)} exhibitors bringing {products} products"
    )

    base = f"/hoi-cho/{FAIR_SLUG}/"
    names = [e.seller.name.split()[-2] for e in page.exhibitors]  # a place: several sellers
    words = sorted({" ".join(p.product.name.split()[:2]) for e in page.exhibitors
                    for p in e.products})  # fmt: skip
    provinces = sorted({e.seller.province.name for e in page.exhibitors})
    rng.shuffle(names)
    searches = {
        "by name (?q=)": [f"{base}?{urllib.parse.urlencode({'q': n})}" for n in names[:50]],
        "by product (?q=)": [f"{base}?{urllib.parse.urlencode({'q': w})}" for w in words],
        "by province (?tinh=)": [
            f"{base}?{urllib.parse.urlencode({'tinh': p})}" for p in provinces
        ],
        "by stars (?sao=5)": [f"{base}?sao=5", f"{base}?sao=4"],
    }
    # No setup_test_environment(): it instruments every template render (the test client keeps
    # a copy of each context for assertions), which no server does.
    client = Client()
    targets: dict[str, list[str]] = {"fair page": [base], "booth map SVG": [f"{base}so-do.svg"]}
    targets.update({f"search {label}": urls for label, urls in searches.items()})

    for urls in targets.values():
        for url in urls[:3]:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    gc.collect()
    import marketplace.wsgi  # noqa: F401  (the served process's GC settings: freeze, thresholds)

    if args.profile:
        urls = {"page": targets["fair page"], "svg": targets["booth map SVG"],
                "search": targets["search by product (?q=)"]}[args.profile]  # fmt: skip
        profile = cProfile.Profile()
        profile.enable()
        for n in range(args.rounds):
            client.get(urls[n % len(urls)])
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        return

    print(f"load average: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(machine_speed())
    # A search reads the fair's exhibitor index, kept per catalogue version: "cold" forgets it
    # before every request (as after each catalogue write), so the request builds it.
    runs = [(label, urls, False) for label, urls in targets.items()]
    runs += [(f"{label}, cold", targets[label], True) for label in targets if "search" in label]
    for label, urls, cold in runs:
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        if cold:
            catalogue_local_clear()
        with connection.execute_wrapper(count):
            response = client.get(urls[0])
        size = len(response.content)
        wall, cpu = [], []
        for n in range(args.rounds):
            if cold:
                catalogue_local_clear()
            started_cpu, started = time.process_time(), time.perf_counter()
            client.get(urls[n % len(urls)])
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        print(
            f"{label:<35} {len(statements):>2} SQL, {size // 1024:>4} KiB: "
            f"{percentiles(wall)} · CPU median {statistics.median(cpu):6.2f} ms"
        )

    # The search alone, without the page's markup: its SQL and the exhibitors it builds.
    cases = [{"text": w} for w in words] + [{"province_name": p} for p in provinces]
    cases += [{"stars": 5}, {"text": names[0], "stars": 4}]
    wall, cpu = [], []
    for n in range(args.rounds):
        started_cpu, started = time.process_time(), time.perf_counter()
        fair_exhibitors_search(fair=page.fair, **cases[n % len(cases)])
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"{'fair_exhibitors_search':<35} {'':>15}: {percentiles(wall)} · "
        f"CPU median {statistics.median(cpu):6.2f} ms"
    )


if __name__ == "__main__":
    main()
