"""Benchmark: print 10,000 QR stamps to an A4 PDF sheet (and a CSV).

    .venv/bin/python benchmarks/stamps.py [--stamps 10000] [--layout a4-5x13] [--pin] [--keep]
    .venv/bin/python benchmarks/stamps.py --background --stamps 100000

``--background`` takes the path a seller's order takes: a throwaway database (a SQLite file, or a
``test_…`` PostgreSQL database when DATABASE_URL points at one) gets a certified product and a
batch; ``stamp_run_order`` inserts the stamps and, on commit, runs the
``traceability.stamp_run_render`` job (eagerly, as without a broker; a worker runs the same code)
that streams them from the database into one PDF and the CSV in private storage. Prints the
insert and render times, the job's result and the process's peak RSS (target: < 500 MB at
100,000 stamps).

Generates stamp labels lazily — short-form URLs ``HTTPS://127.0.0.1:8000/S/`` + a 30-character
base32 code, as the stamp service issues them, a 13-character serial, a Vietnamese product name,
★4 — and times ``traceability.printing.stamp_sheet_pdf`` (then ``stamp_csv``) into a temporary
file. Prints seconds, pages, file size and peak RSS of the process (``resource.getrusage``).
No database is touched. Target (issue 5): 10,000 stamps under 20 s and 500 MB RSS.
"""

import argparse
import base64
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRODUCTS = [
    "Mật ong hoa nhãn Tiên Yên hũ 500 g",
    "Trà hoa vàng Ba Chẽ hộp 100 g",
    "Nước mắm Cái Rồng chai 500 ml",
    "Chả mực Hạ Long hút chân không 500 g",
    "Miến dong Bình Liêu gói 1 kg",
]


def labels(count: int, *, seed: int, with_pin: bool):
    from traceability.printing import StampLabel

    rng = random.Random(seed)
    product = rng.choice(PRODUCTS)
    for _ in range(count):
        code = base64.b32encode(rng.randbytes(20)).decode()[:30]
        yield StampLabel(
            url=f"HTTPS://127.0.0.1:8000/S/{code}",
            serial=code[:13],
            product_name=product,
            stars=4,
            pin=f"{rng.randrange(10**8):08d}" if with_pin else None,
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def background(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ocop-stamps-bg-"))
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["JOB_FILES_ROOT"] = str(workdir / "jobs")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import uuid

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.models import Job, JobFile
    from tests.factories_traceability import traced_product
    from traceability.models import StampRunPrint
    from traceability.services import stamp_run_order

    if postgres:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        traced = traced_product()
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        with transaction.atomic():
            order = stamp_run_order(
                actor=traced.owner,
                batch=traced.batch,
                quantity=args.stamps,
                with_pin=args.pin,
                submission=uuid.uuid4(),
                layout=args.layout,
            )
            ordered = time.perf_counter()
        # The job ran when the order committed (no broker: eager, in this process).
        finished = time.perf_counter()
        stamp_print = StampRunPrint.objects.get(run=order.run)
        job = Job.objects.get(pk=stamp_print.job_id)
        sizes = {f.name.rsplit(".", 1)[-1]: f.size for f in JobFile.objects.filter(job=job)}
        pdf_size, csv_size = sizes["pdf"], sizes["csv"]
        print(f"database:        {connection.vendor}")
        print(f"stamps:          {args.stamps:,} on {args.layout}")
        print(f"order (insert):  {ordered - started:.2f} s")
        print(
            f"render job:      {finished - ordered:.2f} s, state {job.state}, {job.result}, "
            f"PDF {pdf_size / 1e6:.1f} MB, CSV {csv_size / 1e6:.2f} MB"
        )
        print(f"peak RSS:        {peak_rss_mb():.0f} MB (before the order: {rss_before:.0f} MB)")
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"files:           {workdir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamps", type=int, default=10_000)
    parser.add_argument("--layout", default="a4-5x13")
    parser.add_argument("--pin", action="store_true", help="print scratch-off PINs too")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the PDF and CSV, print paths")
    parser.add_argument(
        "--background", action="store_true", help="order a run and render it as the job does"
    )
    args = parser.parse_args()
    if args.background:
        background(args)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from traceability.printing import SHEET_LAYOUTS, stamp_csv, stamp_sheet_pdf

    layout = SHEET_LAYOUTS[args.layout]
    rss_before = peak_rss_mb()
    directory = tempfile.mkdtemp(prefix="ocop-stamps-")
    pdf_path = Path(directory) / "stamps.pdf"
    csv_path = Path(directory) / "stamps.csv"

    started = time.perf_counter()
    with pdf_path.open("wb") as out:
        pages = stamp_sheet_pdf(
            labels=labels(args.stamps, seed=args.seed, with_pin=args.pin), layout=layout, out=out
        )
    pdf_seconds = time.perf_counter() - started
    pdf_rss = peak_rss_mb()

    started = time.perf_counter()
    with csv_path.open("wb") as out:
        rows = stamp_csv(labels=labels(args.stamps, seed=args.seed, with_pin=args.pin), out=out)
    csv_seconds = time.perf_counter() - started

    print(f"stamps:          {args.stamps:,} on {args.layout} ({layout.labels_per_page} a sheet)")
    print(
        f"PDF:             {pdf_seconds:.2f} s, {pages:,} pages, "
        f"{pdf_path.stat().st_size / 1e6:.1f} MB, {args.stamps / pdf_seconds:,.0f} stamps/s"
    )
    print(
        f"CSV:             {csv_seconds:.2f} s, {rows:,} rows, "
        f"{csv_path.stat().st_size / 1e6:.2f} MB"
    )
    print(f"peak RSS:        {pdf_rss:.0f} MB (after Django setup: {rss_before:.0f} MB)")
    if args.keep:
        print(f"files:           {pdf_path}  {csv_path}")
    else:
        pdf_path.unlink()
        csv_path.unlink()
        os.rmdir(directory)


if __name__ == "__main__":
    main()
