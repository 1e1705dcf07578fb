"""Benchmark: import a 50,000-row recognition list into a fresh database.

    .venv/bin/python benchmarks/import_registry.py [--rows 50000] [--seed 7] [--background]

``--background`` runs the admin upload's path instead: the file is stored with a ``core.Job``
(``job_file_store``) and the ``catalog.registry_import`` task runs it (called directly, as eager
mode does), reporting progress every ``PROGRESS_EVERY`` rows; the job's state and result are
checked afterwards.

Generates a realistic CSV (Vietnamese producer and product names, ; separated, title lines, old
and current province names, decimal commas, mixed star notations, one decision per current
province) into a temporary directory, migrates a throwaway database — a SQLite file by default, a
``test_…`` PostgreSQL database when DATABASE_URL points at one — and times ``registry_import``.
Prints rows, seconds, rows/s and peak RSS. Run and reported, never asserted (not under tests/).
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRODUCER_PREFIXES = [
    "HTX Nông nghiệp",
    "HTX Dịch vụ Nông nghiệp",
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Hộ kinh doanh",
    "Cơ sở sản xuất",
    "Tổ hợp tác",
    "Doanh nghiệp tư nhân",
]
PRODUCER_NAMES = [
    "Thành Đạt",
    "Hoàng An",
    "Phú Quý",
    "Minh Châu",
    "Tiên Yên",
    "Đồng Tiến",
    "Hải Hà",
    "Bình Liêu",
    "Vân Đồn",
    "Đầm Hà",
    "Hạ Long",
    "Sơn Động",
    "Lục Ngạn",
    "Mộc Châu",
    "Bảo Lộc",
    "Trường Xuân",
    "Phú Cần",
    "Tiểu Cần",
    "Cầu Kè",
    "Cái Bè",
    "Chợ Gạo",
    "Hương Sơn",
    "Quế Phong",
    "Kỳ Sơn",
    "Na Hang",
    "Hàm Yên",
    "Bắc Hà",
    "Sa Pa",
    "Mường Khương",
    "Đồng Văn",
    "Mèo Vạc",
    "Trùng Khánh",
    "Bảo Lạc",
    "Vạn Phúc",
    "Bát Tràng",
    "Ước Lễ",
    "Đình Bảng",
    "Thanh Chương",
    "Diễn Châu",
    "Quỳnh Lưu",
]
PLACES = [
    "Quảng La",
    "Đông Triều",
    "Yên Tử",
    "Tân Dân",
    "Hoành Bồ",
    "Cẩm Phả",
    "Móng Cái",
    "Quảng Yên",
    "Uông Bí",
    "Hoà Bình",
    "Lạc Dương",
    "Đơn Dương",
    "Đức Trọng",
    "Di Linh",
    "Lâm Hà",
    "Đam Rông",
    "Cát Tiên",
    "Bảo Lâm",
    "Phan Thiết",
    "Tuy Phong",
    "Hàm Thuận",
    "Gia Nghĩa",
    "Đắk Mil",
    "Krông Nô",
    "Cư Jút",
    "Tuy Đức",
    "Buôn Hồ",
    "Ea Kar",
    "Long Hồ",
    "Mang Thít",
    "Trà Ôn",
    "Bình Minh",
    "Tam Nông",
    "Tháp Mười",
    "Cao Lãnh",
    "Sa Đéc",
    "Lai Vung",
    "Châu Thành",
    "Phong Điền",
    "Cờ Đỏ",
    "Vĩnh Thạnh",
    "Thới Lai",
    "Ô Môn",
    "Cái Răng",
    "Ninh Kiều",
    "Bình Thủy",
    "Hồng Dân",
    "Phước Long",
    "Giá Rai",
    "Đông Hải",
    "Năm Căn",
    "Ngọc Hiển",
    "U Minh",
    "Trần Văn Thời",
    "Cái Nước",
    "Đầm Dơi",
    "Thới Bình",
    "Ba Vì",
    "Sóc Sơn",
    "Mỹ Đức",
    "Chương Mỹ",
    "Thạch Thất",
    "Quốc Oai",
    "Phúc Thọ",
    "Đan Phượng",
    "Hoài Đức",
    "Thanh Oai",
    "Ứng Hòa",
    "Phú Xuyên",
    "Thường Tín",
    "Mê Linh",
    "Đông Anh",
    "Gia Lâm",
    "Thanh Trì",
    "Sơn Tây",
    "Nghĩa Đô",
    "Tây Hồ",
    "Long Biên",
    "Cầu Giấy",
    "Hà Đông",
]
PRODUCTS = [
    ("Mật ong rừng", 4),
    ("Trà hoa vàng", 12),
    ("Nước mắm", 9),
    ("Cà phê rang xay", 13),
    ("Gạo ST25", 3),
    ("Miến dong", 6),
    ("Chả mực", 8),
    ("Ba kích tím", 20),
    ("Rượu ba kích", 14),
    ("Sá sùng khô", 8),
    ("Trà Shan tuyết", 11),
    ("Mắm tôm", 9),
    ("Hạt điều rang muối", 7),
    ("Bưởi da xanh", 1),
    ("Cam sành", 1),
    ("Nấm linh chi", 18),
    ("Tinh dầu quế", 20),
    ("Chè búp khô", 11),
    ("Bánh đa nem", 6),
    ("Giò chả", 8),
    ("Muối ớt", 10),
    ("Tỏi cô đơn", 10),
    ("Rượu nếp cái hoa vàng", 14),
    ("Nước cốt gừng", 17),
    ("Khô cá dứa", 8),
    ("Tương bần", 9),
    ("Sen sấy", 7),
    ("Cao atiso", 18),
    ("Mứt gừng", 7),
    ("Thổ cẩm", 22),
    ("Chiếu cói", 21),
    ("Gốm men lam", 21),
    ("Hoa lan hồ điệp", 23),
    ("Bonsai sam hương", 24),
    ("Dầu dừa", 19),
]
PACKS = ["", "", "", "loại 1", "hũ 500 g", "chai 650 ml", "túi 1 kg", "hộp quà", "đặc biệt"]


def _legacy_provinces() -> list[tuple[str, str]]:
    """(name as a row might write it, current province code) for all 63 pre-2025 provinces."""
    names = []
    with (ROOT / "core" / "fixtures" / "provinces-2025.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.append((row["old_name"], row["new_code"].zfill(2)))
            names.append((row["new_name"], row["new_code"].zfill(2)))
    return names


def _stars_text(stars: int, rng: random.Random) -> str:
    return rng.choice([f"{stars} sao", "★" * stars, str(stars), f"{stars}*"])


def generate(path: Path, *, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    provinces = _legacy_provinces()
    decisions: dict[str, tuple[str, str]] = {}
    day = datetime.date(2026, 8, 5)
    for _, code in provinces:
        if code not in decisions:
            number = f"{3900 + len(decisions)}/QĐ-UBND"
            decisions[code] = (
                number,
                (day + datetime.timedelta(days=len(decisions))).strftime("%d/%m/%Y"),
            )
    producer_count = max(1, rows * 2 // 5)
    producers = []
    used = set()
    tax = 5700000000
    while len(producers) < producer_count:
        name = f"{rng.choice(PRODUCER_PREFIXES)} {rng.choice(PRODUCER_NAMES)} {rng.choice(PLACES)}"
        if len(used) >= len(PRODUCER_PREFIXES) * len(PRODUCER_NAMES) * len(PLACES) * 0.9:
            name = f"{name} {len(producers)}"
        province_name, code = rng.choice(provinces)
        if (name, code) in used:
            continue
        used.add((name, code))
        tax += rng.randint(1, 500)
        tax_code = str(tax) if rng.random() < 0.6 else ""
        address = f"thôn {rng.randint(1, 20)}, xã {rng.choice(PLACES)}, huyện {rng.choice(PLACES)}"
        producers.append([name, tax_code, address, province_name, code, set()])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN (tổng hợp toàn quốc)"])
        writer.writerow([])
        writer.writerow(
            [
                "STT",
                "Tên sản phẩm",
                "Tên chủ thể",
                "Mã số thuế",
                "Địa chỉ",
                "Tỉnh/thành phố",
                "Bộ sản phẩm",
                "Điểm trung bình",
                "Hạng sao",
                "Số quyết định",
                "Ngày quyết định",
            ]
        )
        written = 0
        while written < rows:
            producer = producers[written % producer_count]
            name, tax_code, address, province_name, code, made = producer
            product, product_set = rng.choice(PRODUCTS)
            label = f"{product} {rng.choice(PLACES)} {rng.choice(PACKS)}".strip()
            if label in made:
                label = f"{label} {len(made) + 1}"
            made.add(label)
            score = Decimal(rng.uniform(50, 99.99)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            # A province-level list: ★5 is recognised centrally only (26/2026), so a ≥ 90 score
            # is listed at ★4 here, as provinces do while the central evaluation is pending.
            stars = 4 if score >= 70 else 3
            if stars > 3 and rng.random() < 0.1:
                stars -= 1  # a missed minimum requirement caps the star
            number, date = decisions[code]
            writer.writerow(
                [
                    written + 1,
                    label,
                    name,
                    tax_code,
                    address,
                    province_name,
                    product_set,
                    str(score).replace(".", ",") if rng.random() < 0.7 else str(score),
                    _stars_text(stars, rng),
                    number,
                    date,
                ]
            )
            written += 1
        writer.writerow(["", f"Tổng: {rows} sản phẩm"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--background", action="store_true", help="through the job and task, as the admin upload"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ocop-import-bench-"))
    os.environ["JOB_FILES_ROOT"] = str(workdir / "job-files")
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    # As a worker runs in production. With DEBUG on, Django keeps the text of the last 9,000
    # statements (``connection.queries_log``), bulk inserts included: hundreds of MB at 200,000
    # rows, which is the log's memory, not the import's. DEBUG=true measures it anyway.
    os.environ.setdefault("DEBUG", "false")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from catalog.importer import registry_import
    from catalog.models import Certificate

    csv_path = workdir / "recognition-list.csv"
    started = time.perf_counter()
    generate(csv_path, rows=args.rows, seed=args.seed)
    print(
        f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s -> {csv_path} "
        f"({csv_path.stat().st_size / 1e6:.1f} MB)"
    )

    if postgres:
        # A throwaway test_… database, dropped afterwards.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        run = _background if args.background else registry_import
        report = run(csv_path) if args.background else run(source=csv_path)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if not report.ok:
            for error in report.errors[:20]:
                print(error.message_en)
            raise SystemExit(f"{len(report.errors)} errors")
        path = "background job" if args.background else "direct"
        print(f"database: {connection.vendor}; path: {path}; DEBUG: {settings.DEBUG}")
        for _, _, en, value in report.counts():
            print(f"  {en}: {value}")
        print(f"rows: {report.rows_read}")
        print(f"seconds: {seconds:.1f}")
        print(f"rows/s: {report.rows_read / seconds:,.0f}")
        print(f"peak RSS: {peak:.0f} MB (before the import: {rss_before:.0f} MB)")
        print(f"load average (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
        assert Certificate.objects.count() == report.certificates_created
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def _background(csv_path: Path):
    """The admin's path minus the HTTP upload: a job with the stored file, run by its task."""
    from catalog.importer import ImportReport
    from catalog.tasks import registry_import_task
    from core.jobs import job_file_store
    from core.models import Job, JobState

    job = Job.objects.create(kind="catalog.registry_import", arguments={"level": "province"})
    with csv_path.open("rb") as stream:
        job_file_store(job=job, name=csv_path.name, content=stream)
    registry_import_task(job.pk)  # JobTask.__call__: state, attempts, result, as eager runs it
    job.refresh_from_db()
    if job.state != JobState.DONE:
        raise SystemExit(f"job {job.pk} {job.state}: {job.error[-2000:]}")
    report = ImportReport.from_dict(job.result)
    print(f"job {job.pk}: {job.state}, errors recorded {job.result['errors_total']}")
    return report


if __name__ == "__main__":
    main()
