"""Benchmark: does this CPython still map and unmap a frame-stack chunk at every crossing, and
what does ``core.stack.fresh_stack_call`` do for GraphQL ``products(first: 100)`` on it?

    .venv/bin/python benchmarks/stack.py                # both parts, with this venv's Python
    .venv-3.13/bin/python benchmarks/stack.py --keep    # reuse the seeded ocop_bench_stack
    # options: --part chunk|graphql|both --products 300 --repeat 3 --offsets 0:136:4
    #          --database-url postgres://postgres@127.0.0.1:5432/ocop_bench_stack

Part ``chunk`` (no database): at each depth of a plain recursion (the *offset*), a function whose
frame is 1.2 KiB is called 2,000 times in a loop. Where that frame does not fit in the rest of
the current 16 KiB chunk, an interpreter without a spare chunk maps a new chunk on every call
and unmaps it on every return; each such mapping is touched, so it shows as one minor page
fault (``getrusage``) per call. Prints the median and the worst time per call over the offsets
and the offsets that fault on every call.

Part ``graphql``: seeds a PostgreSQL database with the storefront benchmark's data set
(``storefront.seed``, a few hundred products; kept with ``--keep``), then, in this process with
Django's test client and ``CATALOGUE_CACHE_TIMEOUT=0`` (every request does the whole work),
posts the storefront benchmark's ``products(first: 100)`` query below each offset of plain
frames: the offset moves where the chunk boundaries fall for the resolvers, as the frames of
gunicorn and the middleware do in production. It does this with the view's
``fresh_stack_call`` as shipped and with a plain call in its place, and prints per mode the
median over the offsets of the CPU time per request (this process: user and system time, which
is where mapping chunks shows, and the only time worth reading on a shared machine), the worst
offset, and minor faults per request.

Run and reported, never asserted (not under tests/). Talks only to 127.0.0.1.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench_stack"
HOP_LOCALS = 150  # 1.2 KiB of locals: a frame that often does not fit in what a chunk has left
HOP_CALLS = 2000


def descend(depth: int, func):
    """``func()`` called ``depth`` plain frames below here."""
    if depth:
        return descend(depth - 1, func)
    return func()


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def chunk_part() -> None:
    names = " = ".join(f"_v{i}" for i in range(HOP_LOCALS))
    namespace: dict = {}
    exec(f"def hop():\n    if False:\n        {names} = None\n    return 1\n", namespace)
    hop = namespace["hop"]

    def loop() -> tuple[float, int]:
        faults = minor_faults()
        started = time.perf_counter_ns()
        for _ in range(HOP_CALLS):
            hop()
        elapsed = time.perf_counter_ns() - started
        return elapsed / HOP_CALLS, minor_faults() - faults

    rows = []
    for offset in range(300):  # two chunks' worth of these frames
        descend(offset, loop)  # warm
        per_call, faults = descend(offset, loop)
        rows.append((offset, per_call, faults))
    times = sorted(row[1] for row in rows)
    thrashing = [row for row in rows if row[2] >= HOP_CALLS]
    print(f"chunk: {len(rows)} offsets × {HOP_CALLS:,} calls of a {HOP_LOCALS * 8} B-locals frame")
    print(f"  median {statistics.median(times):,.0f} ns/call, worst {times[-1]:,.0f} ns/call")
    if thrashing:
        ranges = ", ".join(str(row[0]) for row in thrashing)
        mean = statistics.mean(row[1] for row in thrashing)
        print(
            f"  {len(thrashing)} offsets fault on every call (a chunk mapped per call), "
            f"mean {mean:,.0f} ns/call there: {ranges}"
        )
    else:
        print("  no offset faults on every call: crossings reuse a chunk")


def graphql_part(args) -> None:
    import storefront

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CATALOGUE_CACHE_TIMEOUT"] = "0"
    os.environ["DEBUG"] = "false"  # no query log, as in production
    os.environ["LOG_LEVEL"] = "WARNING"  # no request log lines
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    env = {**os.environ}
    reuse = args.keep and storefront.database_exists(args.database_url)
    if not reuse:
        storefront.recreate_database(args.database_url)
    storefront.run_manage(env, "migrate", "--verbosity=0")

    import django

    django.setup()
    from django.test import Client

    import core.graphql.views as graphql_views
    from catalog.models import Product

    if not (reuse and Product.objects.exists()):
        started = time.perf_counter()
        storefront.seed(products=args.products, offers_per_product=3, rng=random.Random(args.seed))
        print(f"seeded {args.products} products in {time.perf_counter() - started:.1f} s")

    body = json.dumps({"query": storefront.PRODUCTS_QUERY_WITH_OFFERS})
    client = Client()

    def request() -> tuple[float, int]:
        faults = minor_faults()
        # CPU time of this process (user + system: mmap and munmap are system time): on a
        # shared machine, wall time mostly measures the neighbours.
        started = time.process_time()
        response = client.post("/graphql/", data=body, content_type="application/json")
        elapsed = time.process_time() - started
        assert response.status_code == 200 and b'"errors"' not in response.content
        return elapsed * 1000, minor_faults() - faults

    start, stop, step = (int(part) for part in args.offsets.split(":"))
    offsets = range(start, stop, step)
    shipped = graphql_views.fresh_stack_call
    modes = [
        ("fresh_stack_call", shipped),
        ("plain call", lambda func, *a, **kw: func(*a, **kw)),
    ]
    for _ in range(3):  # warm: connections, the document cache, first-request caches
        request()
    print(
        f"graphql products(first: 100) + offers, {len(offsets)} offsets ({args.offsets}), "
        f"{args.repeat} requests each, uncached:"
    )
    print(
        f"  {'mode':<18} {'median CPU ms':>13} {'worst offset':>12} {'faults/req':>10} "
        f"{'max':>5}  offsets faulting > 1,000 times a request (their median CPU ms)"
    )
    for label, call in modes:
        graphql_views.fresh_stack_call = call
        medians, faults, thrashing = [], [], []
        for offset in offsets:
            runs = [descend(offset, request) for _ in range(args.repeat)]
            medians.append(statistics.median(ms for ms, _ in runs))
            faults.extend(count for _, count in runs)
            if statistics.median(count for _, count in runs) > 1000:
                thrashing.append(medians[-1])
        where = f"{len(thrashing)} ({statistics.median(thrashing):.1f})" if thrashing else "0"
        print(
            f"  {label:<18} {statistics.median(medians):>13.1f} {max(medians):>12.1f} "
            f"{statistics.median(faults):>10.0f} {max(faults):>5}  {where}"
        )
    graphql_views.fresh_stack_call = shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("chunk", "graphql", "both"), default="both")
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--offsets", default="0:136:4", help="start:stop:step frames above")
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the benchmark only talks to a local PostgreSQL (127.0.0.1)")

    print(f"Python {sys.version.split()[0]}")
    if args.part in ("chunk", "both"):
        chunk_part()
    if args.part in ("graphql", "both"):
        graphql_part(args)


if __name__ == "__main__":
    main()
