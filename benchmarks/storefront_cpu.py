"""CPU time of one uncached storefront request, in-process, against the hand-written floor.

    .venv/bin/python benchmarks/storefront_cpu.py --database-url postgres://…/ocop_bench
    # options: --requests 20 --rounds 2
    #          --profile graphql|graphql-floor|listing|listing-floor|product

Runs against a database ``storefront.py`` has seeded (run it first, or with ``--keep`` on the
same ``--database-url``). In this process, with ``DEBUG=false`` and ``CATALOGUE_CACHE_TIMEOUT=0``
(every request does the whole work) and the garbage collector set up as ``marketplace.wsgi``
sets it (``gc.freeze()`` after start-up, the young-collection threshold), it sends each target
``--requests`` times through Django's test client — the listing page, a product page (rotating
through the storefront benchmark's slugs) and GraphQL ``products(first: 100)`` with offers —
and calls the floors of ``floor_app.py`` (the same GraphQL answer and the same listing data
from hand-written SQL) as many times, in ``--rounds`` interleaved rounds. Prints per target the
median CPU time of this process per request (``time.process_time``: user + system, the figure
a loaded machine disturbs least) and the median wall time, and the ratios to the floors.
``--profile`` prints a cProfile of one target.

PostgreSQL's own CPU is not in these figures (it is another process); the wrk runs of
``storefront.py`` include it. Run and reported, never asserted. Talks only to 127.0.0.1.
"""

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--profile",
        choices=("graphql", "graphql-floor", "listing", "listing-floor", "product"),
        help="print a cProfile of this target (--requests requests) instead of timing",
    )
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.database_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the benchmark only talks to a local PostgreSQL (127.0.0.1)")

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CATALOGUE_CACHE_TIMEOUT"] = "0"
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

    import django

    django.setup()
    import floor_app
    from django.test import Client
    from storefront import PRODUCTS_QUERY_WITH_OFFERS, SLUG_SAMPLE
    from storefront_data import machine_speed

    from catalog.models import Product

    slugs = list(
        Product.objects.order_by("id").values_list("slug", flat=True)[: SLUG_SAMPLE * 50 : 50]
    )
    if not slugs:
        raise SystemExit(f"{args.database_url} is not seeded: run storefront.py first")
    client = Client()
    body = json.dumps({"query": PRODUCTS_QUERY_WITH_OFFERS})
    product_paths = iter([f"/san-pham/{slug}/" for slug in slugs] * 1000)

    def graphql():
        response = client.post("/graphql/", data=body, content_type="application/json")
        assert response.status_code == 200 and b'"errors"' not in response.content
        return response.content

    def listing():
        response = client.get("/san-pham/")
        assert response.status_code == 200
        return response.content

    def product():
        response = client.get(next(product_paths))
        assert response.status_code == 200
        return response.content

    targets = {
        "graphql": graphql,
        "graphql-floor": lambda: json.dumps(
            floor_app.products_answer(), separators=(",", ":")
        ).encode(),
        "listing": listing,
        "listing-floor": lambda: floor_app.listing_page(),
        "product": product,
    }
    if json.loads(graphql()) != json.loads(targets["graphql-floor"]()):
        raise SystemExit("the floor's GraphQL answer differs from the real endpoint's")
    for call in targets.values():  # warm: connections, first-request caches
        call()
        call()
    gc.collect()
    import marketplace.wsgi  # noqa: F401  (the served process's GC settings: freeze, thresholds)

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            targets[args.profile]()
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(45)
        return

    cpu: dict[str, list[float]] = {name: [] for name in targets}
    wall: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, call in targets.items():
            for _ in range(args.requests):
                started_cpu, started_wall = time.process_time(), time.perf_counter()
                call()
                cpu[name].append((time.process_time() - started_cpu) * 1000)
                wall[name].append((time.perf_counter() - started_wall) * 1000)
    print(f"load average: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(machine_speed())
    print(f"{'target':<15} {'CPU ms (median)':>16} {'wall ms (median)':>17}")
    medians = {}
    for name in targets:
        medians[name] = statistics.median(cpu[name])
        print(f"{name:<15} {medians[name]:>16.1f} {statistics.median(wall[name]):>17.1f}")
    print(
        f"graphql ÷ floor (CPU): {medians['graphql'] / medians['graphql-floor']:.2f}×; "
        f"listing ÷ floor (CPU): {medians['listing'] / medians['listing-floor']:.2f}×"
    )


if __name__ == "__main__":
    main()
