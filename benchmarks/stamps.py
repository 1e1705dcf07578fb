"""Benchmark: print 10,000 QR stamps to an A4 PDF sheet (and a CSV).

    .venv/bin/python benchmarks/stamps.py [--stamps 10000] [--layout a4-5x13] [--pin] [--keep]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamps", type=int, default=10_000)
    parser.add_argument("--layout", default="a4-5x13")
    parser.add_argument("--pin", action="store_true", help="print scratch-off PINs too")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the PDF and CSV, print paths")
    args = parser.parse_args()

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
