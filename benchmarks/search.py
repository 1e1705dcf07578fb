"""Benchmark: search and suggestions in-process over the 20,000-product data set on PostgreSQL.

    .venv/bin/python benchmarks/search.py [--products 20000] [--rounds 5] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/ocop_bench_search]

Builds the storefront benchmark's data set with its own builder (``benchmarks/storefront.py``,
``seed``: ≈2,000 sellers, products with packs, certificates, offers, stock) in a database of its
own (dropped first unless ``--keep`` finds it seeded), rebuilds the search index with
``search.indexer.index_rebuild`` (printing the rate), then times, through the configured
backend (``core.search.search_backend()``, the database backend), a fixed set of queries as
buyers type them — product names without diacritics, one-letter typos, run-together syllables,
places, producers, product + place — each a full results page (24 hits, every facet counted),
and the prefixes the header sends as someone types. Prints p50/p95/p99 and SQL statements per
call. Run and reported, never asserted (not under tests/).
"""

import argparse
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench_search"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return (
        f"p50 {at(50):6.2f} ms · p95 {at(95):6.2f} ms · p99 {at(99):6.2f} ms · "
        f"mean {statistics.fmean(ordered):6.2f} ms · n={len(ordered)}"
    )


def typo(word: str, rng: random.Random) -> str:
    """One letter doubled, dropped or two neighbours swapped, in a word of four letters or more."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("double", "drop", "swap"))
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def query_set(rng: random.Random) -> tuple[list[str], list[str]]:
    from storefront import PLACES, PREFIXES, PRODUCT_WORDS

    from core.text import fold

    names = [fold(name) for name in PRODUCT_WORDS]
    places = [fold(place) for place in PLACES]
    queries = list(names)
    queries += [
        " ".join(typo(w, rng) if len(w) >= 4 and rng.random() < 0.5 else w for w in n.split())
        for n in names
    ]
    queries += [n.replace(" ", "", 1) for n in names if " " in n][:10]  # "matong rung"
    queries += places
    queries += [f"{rng.choice(names)} {rng.choice(places)}" for _ in range(30)]
    queries += [f"{fold(rng.choice(PREFIXES))} {rng.choice(places)}" for _ in range(20)]
    queries += ["che", "tra shan tuyet", "htx", "xyzzy"]
    prefixes = []
    for name in names + places:
        for cut in (2, 4, 6, 9):
            if cut < len(name):
                prefixes.append(name[:cut])
    return queries, prefixes


def time_calls(call, inputs: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for value in inputs:
            started = time.perf_counter()
            call(value)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--offers-per-product", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("the benchmark only talks to a local PostgreSQL (127.0.0.1)")

    from storefront import database_exists, recreate_database, run_manage, seed

    env = {**os.environ, "DATABASE_URL": args.database_url}
    os.environ.update({"DATABASE_URL": args.database_url, "DEBUG": "false"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    reuse = args.keep and database_exists(args.database_url)
    if not reuse:
        recreate_database(args.database_url)
    run_manage(env, "migrate", "--verbosity=0")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Product
    from core.search import search_backend
    from search.indexer import index_rebuild
    from search.models import SearchDocument, SearchTerm

    if reuse and SearchDocument.objects.exists():
        print(f"reusing {args.database_url}: {Product.objects.count()} products")
    else:
        if not (reuse and Product.objects.exists()):
            started = time.perf_counter()
            counts = seed(
                products=args.products,
                offers_per_product=args.offers_per_product,
                rng=random.Random(args.seed),
            )
            print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")
        started = time.perf_counter()
        rebuilt = index_rebuild()
        seconds = time.perf_counter() - started
        documents = sum(rebuilt.values())
        print(
            f"index_rebuild: {rebuilt} in {seconds:.1f} s "
            f"({documents / seconds:,.0f} documents/s), "
            f"{SearchTerm.objects.count():,} vocabulary rows"
        )

    # Every run, reused or not: a migration may have just filled a table (the match rows).
    with connection.cursor() as cursor:
        for table in ("searchdocument", "searchmatch", "searchterm", "searchprefix"):
            cursor.execute(f"VACUUM ANALYZE search_{table}")
    backend = search_backend()
    queries, prefixes = query_set(random.Random(args.seed))
    totals = {q: backend.search(query=q).total for q in queries}  # warm-up, and sizes
    for prefix in prefixes:
        backend.suggest(prefix=prefix)
    sizes = sorted(totals.values())
    print(
        f"{len(queries)} queries, matches per query: median {statistics.median(sizes):,.0f}, "
        f"max {max(sizes):,}; {len(prefixes)} prefixes"
    )
    with CaptureQueriesContext(connection) as captured:
        backend.search(query=queries[0])
    search_sql = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        backend.suggest(prefix=prefixes[0])
    suggest_sql = len(captured.captured_queries)

    search_ms = time_calls(lambda q: backend.search(query=q), queries, args.rounds)
    print(f"search  (page of 24, facets; {search_sql} SQL): {percentiles(search_ms)}")
    suggest_ms = time_calls(lambda p: backend.suggest(prefix=p), prefixes, args.rounds)
    print(f"suggest (8 suggestions;      {suggest_sql} SQL): {percentiles(suggest_ms)}")
    slowest = sorted(queries, key=lambda q: -totals[q])[:3]
    for query in slowest:
        ms = time_calls(lambda q: backend.search(query=q), [query], max(args.rounds, 5))
        print(f"  broadest {query!r} ({totals[query]:,} matches): {percentiles(ms)}")


if __name__ == "__main__":
    main()
