"""Benchmark: storefront and API latency over 20,000 products / 60,000 offers on PostgreSQL.

    .venv/bin/python benchmarks/storefront.py [--products 20000] [--offers-per-product 3]
        [--duration 15s] [--connections 8] [--threads 2] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/ocop_bench]
        [--cache both|on|off] [--redis-url redis://127.0.0.1:6379/15]

Creates the database (dropped first unless ``--keep`` finds it seeded), migrates it with
``manage.py migrate``, seeds it with ``bulk_create`` (≈2,000 active sellers across the 34
provinces, products with packs, one decision, evaluations with their A/B/C parts, active ★3–★5
certificates, published offers by holders and by authorised resellers, stock), collects static
files, serves ``marketplace.wsgi`` with gunicorn (2 *sync* workers, production settings) on
127.0.0.1 and drives it with ``wrk`` for three targets: the listing page (``/san-pham/``), a
product page (rotating through 200 slugs) and GraphQL ``products(first: 100)``, twice: without
the catalogue cache (``CATALOGUE_CACHE_TIMEOUT=0``: every request does the whole work) and with
it, kept in Redis as in production (``--redis-url``; that database is flushed first, and the
warm-up fills it). Prints requests/s, p50/p95/p99, errors, and SQL queries per request
(measured once in-process with Django's test client). Run and reported, never asserted (not
under tests/, not collected by pytest). Needs ``wrk`` on PATH; talks only to 127.0.0.1.
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench"
WORKERS = 2
SLUG_SAMPLE = 200
BATCH = 5000

PRODUCT_WORDS = [
    "Mật ong rừng",
    "Trà hoa vàng",
    "Nước mắm",
    "Cà phê rang xay",
    "Gạo ST25",
    "Miến dong",
    "Chả mực",
    "Ba kích tím",
    "Rượu ba kích",
    "Sá sùng khô",
    "Trà Shan tuyết",
    "Mắm tôm",
    "Hạt điều rang muối",
    "Bưởi da xanh",
    "Cam sành",
    "Nấm linh chi",
    "Tinh dầu quế",
    "Chè búp khô",
    "Bánh đa nem",
    "Giò chả",
    "Muối ớt",
    "Tỏi cô đơn",
    "Sen sấy",
    "Cao atiso",
    "Mứt gừng",
    "Thổ cẩm",
    "Chiếu cói",
    "Gốm men lam",
    "Dầu dừa",
    "Khô cá dứa",
]
PLACES = [
    "Quảng La",
    "Đông Triều",
    "Yên Tử",
    "Tân Dân",
    "Hoành Bồ",
    "Cẩm Phả",
    "Móng Cái",
    "Lạc Dương",
    "Đơn Dương",
    "Di Linh",
    "Lâm Hà",
    "Phan Thiết",
    "Gia Nghĩa",
    "Đắk Mil",
    "Long Hồ",
    "Trà Ôn",
    "Tam Nông",
    "Cao Lãnh",
    "Sa Đéc",
    "Phong Điền",
    "Ba Vì",
    "Sóc Sơn",
    "Mỹ Đức",
    "Bát Tràng",
    "Vạn Phúc",
    "Sa Pa",
    "Bắc Hà",
    "Mộc Châu",
    "Lục Ngạn",
    "Cái Bè",
]
PREFIXES = ["HTX Nông nghiệp", "Công ty TNHH", "Công ty Cổ phần", "Hộ kinh doanh", "Cơ sở"]
PACKS = ["Hũ 500 g", "Chai 650 ml", "Túi 1 kg", "Hộp quà", "Gói 200 g", "Thùng 12 chai"]

# The shape: products with offers, sellers, certificate and thumbnails.
PRODUCTS_QUERY_WITH_OFFERS = (
    "{ products(first: 100) { totalCount edges { node { name slug holder { name } "
    "currentCertificate { stars validUntil status evaluation { totalScore parts { code maxScore "
    "score } } } photos { url renditions { width url } } offers { price seller { name } } } } } }"
)
PRODUCTS_QUERY_WITHOUT_OFFERS = (
    "{ products(first: 100) { totalCount edges { node { name slug holder { name } "
    "currentCertificate { stars validUntil status evaluation { totalScore parts { code maxScore "
    "score } } } photos { url renditions { width url } } } } } }"
)

LUA_COMMON = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
bad = 0
first_bad = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end
function done(summary, latency, requests)
  local bad_total, first = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
    local f = t:get("first_bad")
    if f ~= 0 then first = f end
  end
  io.write(string.format("BENCH p50=%d p90=%d p95=%d p99=%d max=%d requests=%d non2xx=%d "
    .. "first_status=%d socket_errors=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, summary.requests, bad_total, first,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


def lua_get(paths: list[str]) -> str:
    items = ",\n".join(json.dumps(p) for p in paths)
    return (
        LUA_COMMON
        + "local paths = {\n"
        + items
        + "\n}\nlocal i = 0\nfunction request()\n  i = i + 1\n"
        + '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )


def lua_post_json(path: str, body: str) -> str:
    return (
        LUA_COMMON
        + f'wrk.method = "POST"\nwrk.path = {json.dumps(path)}\n'
        + f"wrk.body = {json.dumps(body)}\n"
        + 'wrk.headers["Content-Type"] = "application/json"\n'
    )


# --- database ------------------------------------------------------------------------------------


def admin_connect(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
    )


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def database_exists(url: str) -> bool:
    with admin_connect(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return row is not None


def recreate_database(url: str) -> None:
    from psycopg import sql

    name = database_name(url)
    with admin_connect(url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


# --- seeding -------------------------------------------------------------------------------------


def seed(*, products: int, offers_per_product: int, rng: random.Random) -> dict:
    """Bulk-create the data set; returns counts. Assumes a freshly migrated database."""
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import (
        Certificate,
        Decision,
        Evaluation,
        EvaluationPart,
        Framework,
        Product,
        ProductSet,
        ProductVariant,
    )
    from core.models import Province
    from core.text import fold, slugify_vi
    from marketplace.offers.models import (
        Offer,
        ResaleAuthorization,
        Stock,
        StockLocation,
    )
    from sellers.models import Business, LegalType, SellerStatus, SellerType

    today = timezone.localdate()
    now = timezone.now()
    provinces = list(Province.objects.all())
    framework = Framework.objects.get(code="QD26-2026")
    parts = {p.code: p for p in framework.parts.all()}
    product_sets = list(ProductSet.objects.filter(framework=framework))
    n_business = max(10, min(2000, products // 10))
    counts = {}

    with transaction.atomic():
        businesses = []
        for i in range(n_business):
            name = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {i + 1}"
            # One in ten sells for others: OCOP centres and distributors, the resellers.
            seller_type = (
                rng.choice([SellerType.OCOP_CENTRE, SellerType.DISTRIBUTOR])
                if i % 10 == 0
                else SellerType.PRODUCER
            )
            businesses.append(
                Business(
                    name=name,
                    name_folded=fold(name),
                    slug=f"{slugify_vi(name)}-{i + 1}",
                    legal_type=LegalType.COOPERATIVE,
                    province=provinces[i % len(provinces)],
                    status=SellerStatus.ACTIVE,
                    seller_type=seller_type,
                    terms_accepted_at=now,
                    tax_code=str(5700000000 + i),
                )
            )
        Business.objects.bulk_create(businesses, batch_size=BATCH)
        counts["businesses"] = len(businesses)
        resellers = [b for b in businesses if b.seller_type != SellerType.PRODUCER]
        producers = [b for b in businesses if b.seller_type == SellerType.PRODUCER]

        locations = [
            StockLocation(business=b, name="Kho chính", province=b.province) for b in businesses
        ]
        StockLocation.objects.bulk_create(locations, batch_size=BATCH)
        location_of = {loc.business_id: loc for loc in locations}

        decision = Decision.objects.create(
            number="9999/QĐ-UBND",
            date=today - datetime.timedelta(days=400),
            issuer="UBND tỉnh (benchmark)",
            province=provinces[0],
            framework=framework,
        )

        product_rows = []
        for i in range(products):
            name = f"{rng.choice(PRODUCT_WORDS)} {rng.choice(PLACES)} {i + 1}"
            holder = producers[i % len(producers)]
            product_rows.append(
                Product(
                    name=name,
                    name_folded=fold(name),
                    slug=f"{slugify_vi(name)}-{i + 1}",
                    holder=holder,
                    product_set=rng.choice(product_sets),
                    product_code=f"BENCH-{i + 1:06d}",
                    description="Sản phẩm OCOP dùng để đo hiệu năng. " * 4,
                )
            )
        Product.objects.bulk_create(product_rows, batch_size=BATCH)
        counts["products"] = len(product_rows)

        # Packs: holders offer each pack; the remaining offers come from authorised resellers.
        n_variants = max(1, min(offers_per_product, 2))
        n_resale = max(0, offers_per_product - n_variants)
        variants = []
        for product in product_rows:
            for v in range(n_variants):
                variants.append(
                    ProductVariant(product=product, name=PACKS[v % len(PACKS)], position=v)
                )
        ProductVariant.objects.bulk_create(variants, batch_size=BATCH)
        counts["variants"] = len(variants)

        evaluations, certificates, eval_parts = [], [], []
        for product in product_rows:
            score = Decimal(rng.uniform(50, 99.99)).quantize(Decimal("0.01"))
            stars = 5 if score >= 90 else 4 if score >= 70 else 3
            evaluations.append(
                Evaluation(
                    product=product,
                    framework=framework,
                    product_set=product.product_set,
                    level="province",
                    council="Hội đồng tỉnh (benchmark)",
                    evaluated_on=today - datetime.timedelta(days=rng.randint(30, 700)),
                    total_score=score,
                    band_stars=stars,
                    stars=stars,
                    decision=decision,
                )
            )
        Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
        counts["evaluations"] = len(evaluations)

        weights = {"A": Decimal("0.35"), "B": Decimal("0.25"), "C": Decimal("0.40")}
        for i, evaluation in enumerate(evaluations):
            a = (evaluation.total_score * weights["A"]).quantize(Decimal("0.01"))
            b = (evaluation.total_score * weights["B"]).quantize(Decimal("0.01"))
            c = evaluation.total_score - a - b
            for code, value in (("A", a), ("B", b), ("C", c)):
                eval_parts.append(
                    EvaluationPart(evaluation=evaluation, part=parts[code], score=value)
                )
            valid_from = evaluation.evaluated_on + datetime.timedelta(days=14)
            certificates.append(
                Certificate(
                    number=f"BENCH-{i + 1:06d}",
                    product=evaluation.product,
                    evaluation=evaluation,
                    decision=decision,
                    stars=evaluation.stars,
                    valid_from=valid_from,
                    valid_until=valid_from + datetime.timedelta(days=3 * 365),
                    status="active",
                )
            )
        EvaluationPart.objects.bulk_create(eval_parts, batch_size=BATCH)
        Certificate.objects.bulk_create(certificates, batch_size=BATCH)
        counts["evaluation parts"] = len(eval_parts)
        counts["certificates"] = len(certificates)

        offers, authorizations = [], []
        for p, product in enumerate(product_rows):
            packs = variants[p * n_variants : (p + 1) * n_variants]
            base = rng.randint(30, 800) * 1000
            for v, variant in enumerate(packs):
                offers.append(
                    Offer(
                        seller_id=product.holder_id,
                        variant=variant,
                        price=base * (v + 1),
                        status="published",
                        published_at=now,
                    )
                )
            chosen = rng.sample(resellers, min(n_resale, len(resellers)))
            for r, reseller in enumerate(chosen):
                authorizations.append(ResaleAuthorization(product=product, reseller=reseller))
                offers.append(
                    Offer(
                        seller=reseller,
                        variant=packs[r % len(packs)],
                        price=base * (r % len(packs) + 1) + rng.randint(1, 30) * 1000,
                        status="published",
                        published_at=now,
                    )
                )
        ResaleAuthorization.objects.bulk_create(authorizations, batch_size=BATCH)
        Offer.objects.bulk_create(offers, batch_size=BATCH)
        counts["resale authorisations"] = len(authorizations)
        counts["offers"] = len(offers)

        stocks = [
            Stock(offer=o, location=location_of[o.seller_id], quantity=rng.randint(0, 200))
            for o in offers
        ]
        Stock.objects.bulk_create(stocks, batch_size=BATCH)
        counts["stock rows"] = len(stocks)
        counts["photos"] = seed_photos()

    with connection.cursor() as cursor:
        # VACUUM too: it sets the visibility map, as on a settled database, so index-only scans
        # (counting the certificates in force) apply as they would in production.
        cursor.execute("VACUUM ANALYZE")
    return counts


def seed_photos() -> int:
    """One photo per product with two narrower renditions, as ``catalog.content`` stores them:
    pages build their ``srcset`` and the API its thumbnails from these rows (the files
    themselves are never read)."""
    from catalog.models import Product, ProductPhoto

    photos = [
        ProductPhoto(
            product_id=pk,
            image=f"products/{pk}/main.webp",
            width=1600,
            height=1200,
            renditions=[
                {"width": 480, "height": 360, "name": f"products/{pk}/main-480w.webp"},
                {"width": 960, "height": 720, "name": f"products/{pk}/main-960w.webp"},
            ],
            alt_text="",
            position=0,
        )
        for pk in Product.objects.values_list("pk", flat=True)
    ]
    ProductPhoto.objects.bulk_create(photos, batch_size=BATCH)
    return len(photos)


# --- serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, *, body: bytes | None = None, timeout: float = 30) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- load ----------------------------------------------------------------------------------------

UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * UNIT[match.group(2)]


def run_wrk(base: str, script: str, args, workdir: Path, label: str) -> dict:
    path = workdir / f"{label}.lua"
    path.write_text(script, encoding="utf-8")
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}",
        "--timeout=30s",
        "--latency",
        f"--script={path}",
        base + "/",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"raw": output}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = to_ms(match.group(1)) if match else float("nan")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"^BENCH (.*)$", output, re.M)
    fields = dict(item.split("=") for item in match.group(1).split())
    result["p95"] = int(fields["p95"]) / 1000
    result["lua_p50"] = int(fields["p50"]) / 1000
    result["lua_p99"] = int(fields["p99"]) / 1000
    result["requests"] = int(fields["requests"])
    result["non2xx"] = int(fields["non2xx"])
    result["first_status"] = int(fields["first_status"])
    result["socket_errors"] = int(fields["socket_errors"])
    return result


def queries_per_request(targets: list[tuple[str, str, str | None]]) -> dict[str, tuple[int, int]]:
    """(status, number of SQL queries) of one in-process request per target, warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path, body in targets:
        for _ in range(2):  # the second run counts: no first-request caches
            with CaptureQueriesContext(connection) as captured:
                if body is None:
                    response = client.get(path)
                else:
                    response = client.post(path, data=body, content_type="application/json")
        counts[label] = (response.status_code, len(captured.captured_queries))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--offers-per-product", type=int, default=3)
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache",
        choices=("both", "on", "off"),
        default="both",
        help="measure with the catalogue cache, without it, or both (default)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="Redis for the catalogue cache, as in production ('' for each worker's memory); "
        "the benchmark flushes this database",
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH")
    host = urllib.parse.urlsplit(args.database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the benchmark only talks to a local PostgreSQL (127.0.0.1)")

    workdir = Path(tempfile.mkdtemp(prefix="ocop-storefront-bench-"))
    static_root = Path(tempfile.gettempdir()) / "ocop-storefront-bench-static"
    base_env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }
    # In this process: development settings on the benchmark database (for seeding and query
    # counts); the served process gets production settings below.
    os.environ.update({"DATABASE_URL": args.database_url})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

    reuse = args.keep and database_exists(args.database_url)
    if not reuse:
        recreate_database(args.database_url)
    started = time.perf_counter()
    run_manage(base_env, "migrate", "--verbosity=0")
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    import django

    django.setup()
    from django.db import connection

    from catalog.models import Product
    from marketplace.offers.models import Offer

    if reuse and Product.objects.exists():
        print(
            f"reusing {args.database_url}: {Product.objects.count()} products, "
            f"{Offer.objects.count()} offers"
        )
        from catalog.models import ProductPhoto

        if not ProductPhoto.objects.exists():  # seeded before photos were part of the set
            print(f"  added {seed_photos():,} photos")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    else:
        started = time.perf_counter()
        counts = seed(
            products=args.products,
            offers_per_product=args.offers_per_product,
            rng=random.Random(args.seed),
        )
        seconds = time.perf_counter() - started
        print(f"seeded in {seconds:.1f} s (bulk_create, batches of {BATCH}, then ANALYZE):")
        for name, value in counts.items():
            print(f"  {name}: {value:,}")

    slugs = list(
        Product.objects.order_by("id").values_list("slug", flat=True)[: SLUG_SAMPLE * 50 : 50]
    )
    product_paths = [f"/san-pham/{slug}/" for slug in slugs]

    # Does Product.offers exist in the schema?
    from api.schema import schema

    product_type = schema.graphql_schema.get_type("ProductType") or schema.graphql_schema.get_type(
        "Product"
    )
    has_offers = product_type is not None and "offers" in product_type.fields
    graphql_query = PRODUCTS_QUERY_WITH_OFFERS if has_offers else PRODUCTS_QUERY_WITHOUT_OFFERS
    graphql_body = json.dumps({"query": graphql_query})

    started = time.perf_counter()
    prod_env = {
        **base_env,
        "MARKETPLACE_ENV": "production",
        "SECRET_KEY": "".join(
            secrets.choice(string.ascii_letters + string.digits + "!@#%^*-_=+") for _ in range(64)
        ),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "60",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    run_manage(prod_env, "collectstatic", "--noinput", "--verbosity=0")
    print(f"collectstatic (manifest storage needs it): {time.perf_counter() - started:.1f} s")

    modes = []
    if args.cache in ("off", "both"):
        # Every request does the whole work: selectors, ORM, templates, graphene.
        modes.append(("uncached", {"CATALOGUE_CACHE_TIMEOUT": "0"}))
    if args.cache in ("on", "both"):
        # As in production: the catalogue cache in Redis, shared by the workers.
        cached_env = {"CATALOGUE_CACHE_TIMEOUT": "600"}
        if args.redis_url:
            cached_env["REDIS_URL"] = args.redis_url
        modes.append(("cached", cached_env))

    targets = [
        ("listing page /san-pham/", lua_get(["/san-pham/"]), "/san-pham/", None),
        (
            f"product page (/san-pham/<slug>/, {len(product_paths)} slugs)",
            lua_get(product_paths),
            product_paths[0],
            None,
        ),
        (
            "graphql products(first: 100)" + (" + offers" if has_offers else " (no offers)"),
            lua_post_json("/graphql/", graphql_body),
            "/graphql/",
            graphql_body,
        ),
    ]
    results = []
    for mode, mode_env in modes:
        env = {**prod_env, **mode_env}
        if "REDIS_URL" in mode_env:
            flush_redis(mode_env["REDIS_URL"])
        measured = serve_and_measure(
            env=env,
            targets=targets,
            product_paths=product_paths,
            graphql_body=graphql_body,
            args=args,
            workdir=workdir,
        )
        results.extend((mode, label, result) for label, result in measured)

    # SQL per request, in this process: the whole work, then a cached answer.
    from django.test.utils import override_settings

    request_targets = [(label, path, body) for label, _, path, body in targets]
    with override_settings(CATALOGUE_CACHE_TIMEOUT=0):
        query_counts = {("uncached", k): v for k, v in queries_per_request(request_targets).items()}
    with override_settings(CATALOGUE_CACHE_TIMEOUT=600):
        query_counts.update(
            {("cached", k): v for k, v in queries_per_request(request_targets).items()}
        )

    print()
    print(
        f"gunicorn marketplace.wsgi: {WORKERS} sync workers; wrk {args.threads} threads, "
        f"{args.connections} connections, {args.duration} per target; "
        f"database {connection.vendor} {database_name(args.database_url)}; "
        f"catalogue cache {'in Redis ' + args.redis_url if args.redis_url else 'in local memory'}; "
        f"{os.cpu_count()} CPUs shared by wrk, gunicorn and PostgreSQL"
    )
    print(f"GraphQL query ran {'WITH' if has_offers else 'WITHOUT'} `offers`: {graphql_query}")
    header = (
        f"{'':<9} {'target':<58} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'SQL/req':>8}"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for mode, label, result in results:
        errors = result["non2xx"] + result["socket_errors"]
        _status, n_queries = query_counts[(mode, label)]
        print(
            f"{mode:<9} {label:<58} {result['rps']:>8.1f} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['p99']:>8.1f} {errors:>7} {n_queries:>8}"
        )
        if errors:
            failed.append(
                f"{mode} {label}: {result['non2xx']} non-2xx (first status "
                f"{result['first_status']}), {result['socket_errors']} socket errors"
            )
    print()
    print("targets: products(first: 100) p50 ≤ 60 ms, listing p50 ≤ 40 ms, product p50 ≤ 20 ms")
    limits = {targets[0][0]: 40, targets[1][0]: 20, targets[2][0]: 60}
    for mode, label, result in results:
        target = limits[label]
        verdict = "met" if result["p50"] <= target else "MISSED"
        print(f"  {mode}: {label}: p50 {result['p50']:.1f} ms vs {target} ms — {verdict}")
    if os.environ.get("BENCH_SHOW_WRK"):
        for mode, label, result in results:
            print(f"\n--- {mode} {label}\n{result['raw']}")
    shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print("\nFAILED: non-2xx responses or socket errors:", file=sys.stderr)
        for line in failed:
            print("  " + line, file=sys.stderr)
        raise SystemExit(1)


def flush_redis(url: str) -> None:
    """Start the cached run from an empty cache (the benchmark's own Redis database)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def serve_and_measure(*, env, targets, product_paths, graphql_body, args, workdir):
    """Serve ``marketplace.wsgi`` with gunicorn under ``env``, check every target answers 200,
    warm up (connections, caches), then run wrk on each target in turn."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = None
    try:
        process = subprocess.Popen(
            [
                gunicorn,
                "marketplace.wsgi",
                f"--workers={WORKERS}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
                "--timeout=120",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group, killed as one in stop()
        )
        wait_ready(base, process)
        status, body = fetch(base + "/graphql/", body=graphql_body.encode())
        payload = json.loads(body or b"{}")
        if payload.get("errors"):
            raise SystemExit(f"GraphQL errors: {payload['errors'][:2]}")
        for label, _script, path, request_body in targets:
            status, _ = fetch(base + path, body=request_body.encode() if request_body else None)
            if status != 200:
                raise SystemExit(f"{label} {path} answered {status}, expected 200")
        edges = payload["data"]["products"]["edges"]
        print(
            f"graphql: totalCount={payload['data']['products']['totalCount']}, "
            f"{len(edges)} edges, {sum(len(e['node'].get('offers') or []) for e in edges)} offers"
        )
        # Warm up: every worker opens its connection and fills its caches.
        for _ in range(3 * WORKERS):
            fetch(base + "/san-pham/")
            fetch(base + "/graphql/", body=graphql_body.encode())
        for path in product_paths:
            fetch(base + path)
        return [
            (label, run_wrk(base, script, args, workdir, f"target{index}"))
            for index, (label, script, _path, _body) in enumerate(targets)
        ]
    finally:
        stop(process)


if __name__ == "__main__":
    main()
