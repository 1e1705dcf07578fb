"""Benchmark: storefront and API latency over 20,000 products / 60,000 offers on PostgreSQL.

    .venv/bin/python benchmarks/storefront.py [--products 20000] [--offers-per-product 3]
        [--duration 15s] [--connections 8] [--threads 2] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/ocop_bench]
        [--cache both|on|off] [--redis-url redis://127.0.0.1:6379/15] [--no-floor] [--writes]

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

With the uncached run it measures the *floors* (``floor_app.py``: the same GraphQL answer from
five hand-written SQL statements and ``json.dumps``, and the listing page's data from eight,
served the same way; the GraphQL answer must equal the real one once parsed and the listing's
cards the real page's byte for byte, or the run fails). ``--writes`` adds a ``cached+writes``
run: the cached run again while ``storefront_writes.py`` completes 5 checkouts and changes one
price a second on random products.
"""

import argparse
import json
import os
import random
import secrets
import shutil
import signal
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

# Re-exported too: benchmarks/search.py and stack.py build the same data set through this module.
from storefront_data import (  # noqa: E402, F401
    BATCH,
    PACKS,
    PLACES,
    PREFIXES,
    PRODUCT_WORDS,
    database_exists,
    database_name,
    recreate_database,
    run_manage,
    seed,
    seed_photos,
)
from storefront_load import (  # noqa: E402
    WORKERS,
    flush_redis,
    lua_get,
    lua_post_json,
    queries_per_request,
    serve_and_measure,
    serve_floor_and_measure,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench"
SLUG_SAMPLE = 200


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


def start_writer(env: dict) -> subprocess.Popen:
    """``storefront_writes.py`` in the background, once it is prepared (``READY``)."""
    env = {**env, "CATALOGUE_CACHE_TIMEOUT": "600"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "storefront_writes.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    for line in process.stdout:
        if line.strip() == "READY":
            return process
    raise SystemExit(f"the write stream did not start ({process.wait()})")


def stop_writer(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    lines = [line for line in output.splitlines() if line.startswith("WRITES")]
    return lines[-1][len("WRITES ") :] if lines else f"(no report, exit {process.returncode})"


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
    parser.add_argument("--no-floor", action="store_true", help="skip the hand-written floor")
    parser.add_argument(
        "--writes", action="store_true", help="also measure cached under a stream of writes"
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
        if args.writes:
            modes.append(("cached+writes", cached_env))

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
    writes_line = ""
    for mode, mode_env in modes:
        env = {**prod_env, **mode_env}
        if "REDIS_URL" in mode_env:
            flush_redis(mode_env["REDIS_URL"])
        writer = start_writer(prod_env) if mode == "cached+writes" else None
        answers: dict = {}
        try:
            measured = serve_and_measure(
                env=env,
                targets=targets,
                product_paths=product_paths,
                graphql_body=graphql_body,
                args=args,
                workdir=workdir,
                answers=answers,
            )
        finally:
            if writer is not None:
                writes_line = stop_writer(writer)
        results.extend((mode, label, result) for label, result in measured)
        if mode == "uncached" and not args.no_floor:
            floor = serve_floor_and_measure(
                env=env,
                script=targets[2][1],
                graphql_body=graphql_body,
                expected=answers["graphql"],
                args=args,
                workdir=workdir,
                listing_script=targets[0][1],
                listing_page=answers["listing"],
            )
            results.append(("floor", targets[0][0], floor["listing"]))
            results.append(("floor", targets[2][0], floor["graphql"]))

    # SQL per request, in this process: the whole work, then a cached answer.
    from django.test.utils import override_settings

    request_targets = [(label, path, body) for label, _, path, body in targets]
    with override_settings(CATALOGUE_CACHE_TIMEOUT=0):
        query_counts = {("uncached", k): v for k, v in queries_per_request(request_targets).items()}
    with override_settings(CATALOGUE_CACHE_TIMEOUT=600):
        query_counts.update(
            {("cached", k): v for k, v in queries_per_request(request_targets).items()}
        )
    for label, _path, _body in request_targets:
        query_counts[("cached+writes", label)] = query_counts[("cached", label)]
    query_counts[("floor", targets[0][0])] = (200, 8)
    query_counts[("floor", targets[2][0])] = (200, 5)

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
        f"{'':<13} {'target':<58} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'SQL/req':>8}"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for mode, label, result in results:
        errors = result["non2xx"] + result["socket_errors"]
        _status, n_queries = query_counts[(mode, label)]
        print(
            f"{mode:<13} {label:<58} {result['rps']:>8.1f} {result['p50']:>8.1f} "
            f"{result['p95']:>8.1f} {result['p99']:>8.1f} {errors:>7} {n_queries:>8}"
        )
        if errors:
            failed.append(
                f"{mode} {label}: {result['non2xx']} non-2xx (first status "
                f"{result['first_status']}), {result['socket_errors']} socket errors"
            )
    print()
    by = {(mode, label): result for mode, label, result in results}
    graphql_label = targets[2][0]
    if ("floor", graphql_label) in by and ("uncached", graphql_label) in by:
        real, floor = by[("uncached", graphql_label)], by[("floor", graphql_label)]
        print(
            f"uncached GraphQL vs the floor: p50 {real['p50'] / floor['p50']:.2f}x, "
            f"throughput {floor['rps'] / real['rps']:.2f}x (target: within 3x)"
        )
    listing_label = targets[0][0]
    if ("floor", listing_label) in by and ("uncached", listing_label) in by:
        real, floor = by[("uncached", listing_label)], by[("floor", listing_label)]
        print(
            f"uncached listing page vs its floor: p50 {real['p50'] / floor['p50']:.2f}x, "
            f"throughput {floor['rps'] / real['rps']:.2f}x"
        )
    if writes_line:
        print(f"write stream: {writes_line}")
        for label, *_rest in targets:
            if ("cached", label) in by and ("cached+writes", label) in by:
                share = by[("cached+writes", label)]["rps"] / by[("cached", label)]["rps"]
                print(f"  cached throughput under writes, {label}: {share:.0%} (target ≥ 80%)")
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    print("targets (uncached, one connection): listing p50 ≤ 20 ms, product page p50 ≤ 8 ms")
    limits = {targets[0][0]: 20, targets[1][0]: 8}
    for mode, label, result in results:
        if mode == "uncached" and label in limits:
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


if __name__ == "__main__":
    main()
