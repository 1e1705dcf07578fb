"""Reading recognition lists as provinces publish them: CSV or XLSX, title rows, header variants.

Everything here is pure (no database): rows stream out of generators so a 50,000-row file is never
held in memory as cells, and the value parsers are shared by the service and the command.
"""

import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from core.exports import spreadsheet_unsafe
from core.text import fold, nfc

HEADER_SCAN_ROWS = 15
XLSX_MAX_UNPACKED_MB = 300

_PUNCT = re.compile(r"[^a-z0-9]+")


class FileUnreadable(Exception):
    """The file is not a CSV/XLSX we can read; ``kind`` picks the message, ``detail`` says why."""

    def __init__(self, kind: str, detail: str = "", row: int | None = None):
        self.kind = kind
        self.detail = detail
        self.row = row
        super().__init__(detail or kind)


def header_key(value) -> str:
    """Folded, punctuation-free, single-spaced: "Hạng sao (★)" -> "hang sao"."""
    return _PUNCT.sub(" ", fold(cell_text(value))).strip()


# Folded header texts, per field. Single-word aliases must match exactly; longer ones also match
# as a prefix ("Tên sản phẩm OCOP" is the product column) — a one-word prefix such as "tinh"
# would catch unrelated headers ("Tình trạng").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "row_no": ("stt", "tt", "no", "so tt", "so thu tu", "number"),
    "product": (
        "ten san pham",
        "san pham",
        "ten sp",
        "product",
        "product name",
        "name of product",
        "ocop product",
        "san pham ocop",
    ),
    "producer": (
        "chu the",
        "ten chu the",
        "chu the san xuat",
        "chu the ocop",
        "ten chu the ocop",
        "ten chu the san xuat",
        "co so san xuat",
        "don vi san xuat",
        "producer",
        "producer name",
        "manufacturer",
        "owner",
        "entity",
    ),
    "address": ("dia chi", "address", "dia chi chu the", "dia chi san xuat", "dia chi tru so"),
    "province": ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp", "province", "province city"),
    "district": (
        "huyen",
        "quan huyen",
        "huyen thi xa",
        "huyen thi xa thanh pho",
        "huyen tx tp",
        "district",
    ),
    "commune": (
        "xa",
        "xa phuong",
        "xa phuong thi tran",
        "xa phuong dac khu",
        "phuong xa",
        "commune",
        "ward",
        "commune ward",
    ),
    "tax_code": ("ma so thue", "mst", "tax code", "tax id", "ma so doanh nghiep"),
    "product_set": ("nhom san pham", "bo san pham", "product set", "product group", "nhom", "bo"),
    "subgroup": ("phan nhom", "phan nhom san pham", "subgroup", "sub group"),
    "framework": ("bo tieu chi", "bo tieu chi ocop", "framework", "criteria framework"),
    "score": (
        "diem",
        "diem trung binh",
        "diem tb",
        "tong diem",
        "tong diem trung binh",
        "diem danh gia",
        "diem so",
        "score",
        "average score",
        "total score",
    ),
    "stars": (
        "hang sao",
        "xep hang",
        "xep hang sao",
        "so sao",
        "hang",
        "phan hang",
        "ket qua xep hang",
        "stars",
        "star",
        "star rating",
        "rating",
    ),
    "decision_number": (
        "so quyet dinh",
        "quyet dinh so",
        "so qd",
        "qd so",
        "decision no",
        "decision number",
    ),
    "decision_date": (
        "ngay quyet dinh",
        "ngay qd",
        "ngay ky",
        "ngay ban hanh",
        "decision date",
        "date",
    ),
    # A single cell such as "3981/QĐ-UBND ngày 05/8/2026".
    "decision": ("quyet dinh", "quyet dinh cong nhan", "decision"),
    "product_code": ("ma san pham", "ma sp", "ma so san pham", "product code", "code"),
    # Per-decision details a file may carry on every row (the registry export writes them, so a
    # file with several decisions round-trips); the options and title lines give them otherwise.
    "issuer": ("co quan ban hanh", "co quan cong nhan", "issuer", "issued by"),
    "source_url": ("nguon", "nguon van ban", "source", "source url", "decision url"),
    "level": ("cap danh gia", "cap cong nhan", "level", "evaluation level"),
}
_EXACT = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_PREFIXES = sorted(
    ((alias, name) for alias, name in _EXACT.items() if " " in alias),
    key=lambda pair: -len(pair[0]),
)


def header_field(value) -> str | None:
    key = header_key(value)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for alias, name in _PREFIXES:
        if key.startswith(alias + " "):
            return name
    return None


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field -> column index
    labels: dict[str, str]  # field -> header text as written in the file

    def label(self, name: str) -> str:
        return self.labels.get(name, "")


def header_detect(row: int, cells) -> Header | None:
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, value in enumerate(cells):
        name = header_field(value)
        if name and name not in columns:  # the first of two same-meaning columns wins
            columns[name] = index
            labels[name] = cell_text(value)
    # A title line mentions "sản phẩm" too: a header row needs the product column and at least
    # two more recognised columns.
    if "product" not in columns or len(columns) < 3:
        return None
    return Header(row=row, columns=columns, labels=labels)


def cell_text(value) -> str:
    """NFC text of a cell; Excel's 5700123456.0 becomes "5700123456"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    # A leading apostrophe before "=", "+", "-", "@" is the export's formula-injection escape
    # (``core.exports``): the text is what follows it.
    return nfc(spreadsheet_unsafe(str(value)))


# ---------------------------------------------------------------------------------------------
# Value parsers. Each returns the parsed value or raises ValueError.


_SCORE_NOISE = re.compile(r"\s*(điểm|diem|đ|points?|pts?)\.?\s*$", re.IGNORECASE)


def score_parse(value) -> Decimal:
    """72.5, "72,5", "72,50 điểm" -> Decimal("72.50"), exactly as written ("69,995" stays
    69.995: stars are banded on it, only the stored figure is rounded). Range is checked by the
    caller."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _SCORE_NOISE.sub("", cell_text(value)).replace(" ", "")
        if not re.fullmatch(r"[+-]?\d+([.,]\d+)?", text):
            raise ValueError(value)
        number = Decimal(text.replace(",", "."))
    if not number.is_finite():
        raise ValueError(value)
    return number


_STAR_CHARS = "★⭐✭✮☆*"
_STAR_WORDS = re.compile(r"^(hang\s*)?(?P<n>\d+)\s*(sao|stars?|\*|★|⭐)?\s*(ocop)?$")


def stars_parse(value) -> int:
    """4, "4", "4 sao", "4*", "4★", "4 stars", "Hạng 4 sao", "★★★★" -> 4 (1–5 only)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    if isinstance(value, int):
        stars = value
    else:
        text = cell_text(value)
        compact = text.replace(" ", "")
        if compact and all(ch in _STAR_CHARS for ch in compact):
            # "★★★☆☆" draws three stars out of five.
            stars = compact.count("★") if "☆" in compact else len(compact)
        else:
            match = _STAR_WORDS.match(fold(text))
            if not match:
                raise ValueError(value)
            stars = int(match.group("n"))
    if not 1 <= stars <= 5:
        raise ValueError(value)
    return stars


_LEVELS = {
    "commune": "commune",
    "cap xa": "commune",
    "xa": "commune",
    "district": "district",
    "cap huyen": "district",
    "huyen": "district",
    "province": "province",
    "cap tinh": "province",
    "tinh": "province",
    "central": "central",
    "cap trung uong": "central",
    "trung uong": "central",
}


def level_parse(value) -> str:
    """ "province", "Cấp tỉnh", "Trung ương" -> an ``EvaluationLevel`` value."""
    level = _LEVELS.get(_PUNCT.sub(" ", fold(cell_text(value))).strip())
    if level is None:
        raise ValueError(value)
    return level


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_WORDS = re.compile(r"^(?:ngày\s*)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})$", re.IGNORECASE)


def date_parse(value) -> datetime.date:
    """05/8/2026, 05-08-2026, 05.08.26, 2026-08-05, "ngày 05 tháng 8 năm 2026", Excel dates.

    Day first, as Vietnamese documents write it. 31/02/2026 or 2026-13-01 raise ValueError.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _WORDS.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(value)
    return datetime.date(year, month, day)  # ValueError on impossible dates


_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def tax_code_parse(value) -> str:
    text = re.sub(r"[\s.]", "", cell_text(value))
    if not _TAX_CODE.match(text):
        raise ValueError(value)
    return text


_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong|total|sum)\b(?!\s*dong)")
_NUMBERING_CELL = re.compile(r"^\(?(\d+)\)?$")


def is_total_row(cells: list[str]) -> bool:
    """ "Tổng cộng", "Tổng: 25 sản phẩm", "Cộng", "Total" in the first non-empty cell."""
    first = next((c for c in cells if c), "")
    return bool(_TOTAL.match(fold(first)))


def is_numbering_row(cells: list[str]) -> bool:
    """The "(1) (2) (3) …" column-numbering row many Vietnamese tables put under the header."""
    numbers = []
    for cell in cells:
        if not cell:
            continue
        match = _NUMBERING_CELL.match(cell)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and all(b == a + 1 for a, b in itertools.pairwise(numbers))


# ---------------------------------------------------------------------------------------------
# Title lines: "Kèm theo Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng".

_TITLE_NUMBER = re.compile(
    r"(?:quyết\s+định|qđ|decision)\s*(?:số|no\.?|number)?\s*[:.]?\s*(?P<number>\d+[^\s,;()]*)",
    re.IGNORECASE,
)
_TITLE_DATE = re.compile(
    r"(?:ngày|dated|date)\s*:?\s*(?P<date>\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})",
    re.IGNORECASE,
)
_TITLE_ISSUER = re.compile(r"\b(?:của|of)\s+(?:the\s+)?(?P<issuer>.+?)[\s).;:]*$", re.IGNORECASE)
_ISSUER_PROVINCE = re.compile(
    r"(?:\btỉnh|\bthành\s+phố|\btp\.?|\bprovince\s+of|\bcity\s+of|committee\s+of)\s+"
    r"(?P<province>[^,;()\d]+?)\s*$",
    re.IGNORECASE,
)
_ENGLISH_PROVINCE = re.compile(r"^(?P<province>[^,;()\d]+?)\s+(?:province|city)\b", re.IGNORECASE)


@dataclass
class TitleDecision:
    """What a title line says about the decision; ``date_text`` kept for error messages."""

    row: int | None = None
    number: str = ""
    date: datetime.date | None = None
    date_text: str = ""
    date_invalid: bool = False
    issuer: str = ""
    province_name: str = ""


def decision_text_parse(text: str) -> TitleDecision:
    """Number, date, issuer and the issuer's province from a free-text decision reference."""
    found = TitleDecision()
    text = nfc(text)
    if match := _TITLE_NUMBER.search(text):
        found.number = match.group("number").rstrip(".")
    elif re.fullmatch(r"\d+/[^\s]+", text.split(" ")[0] if text else ""):
        found.number = text.split(" ")[0]
    if match := _TITLE_DATE.search(text):
        found.date_text = match.group("date")
        try:
            found.date = date_parse(re.sub(r"\s+", " ", found.date_text).strip())
        except ValueError:
            found.date_invalid = True
    if match := _TITLE_ISSUER.search(text):
        found.issuer = match.group("issuer").strip()
        province = _ISSUER_PROVINCE.search(found.issuer) or _ENGLISH_PROVINCE.search(found.issuer)
        if province:
            found.province_name = province.group("province").strip()
    return found


def title_decision_parse(row: int, cells: list[str]) -> TitleDecision | None:
    text = " ".join(c for c in cells if c)
    if not _TITLE_NUMBER.search(text):
        return None
    found = decision_text_parse(text)
    found.row = row
    return found if found.number or found.date else None


# ---------------------------------------------------------------------------------------------
# Streaming rows out of the file.


@dataclass
class Sheet:
    """The header, what the title lines said, and a generator of (row number, cells) below it."""

    header: Header
    titles: list[TitleDecision] = field(default_factory=list)
    rows: Iterator[tuple[int, list]] = field(default_factory=lambda: iter(()))
    close: object = None


def _is_xlsx(stream: BinaryIO, file_name: str) -> bool:
    head = stream.read(4)
    stream.seek(0)
    return head == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm"))


def _xlsx_check_size(stream: BinaryIO) -> None:
    """Refuse decompression bombs before openpyxl unpacks anything."""
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileUnreadable("unreadable", str(exc)) from exc
    finally:
        stream.seek(0)
    if unpacked > XLSX_MAX_UNPACKED_MB * 1024 * 1024:
        raise FileUnreadable("too_large")


def _xlsx_rows(stream: BinaryIO):
    from openpyxl import load_workbook

    _xlsx_check_size(stream)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise FileUnreadable("unreadable", str(exc)) from exc
    sheet = workbook.worksheets[0]

    def rows():
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)

    return rows(), workbook.close


def xlsx_rows(stream: BinaryIO):
    """``(rows, close)`` of an XLSX file's first sheet, decompression bombs refused: for the
    other importers (points of sale) that bring their own header."""
    return _xlsx_rows(stream)


def xlsx_is(stream: BinaryIO, file_name: str) -> bool:
    return _is_xlsx(stream, file_name)


def _csv_rows(stream: BinaryIO):
    # Sniff on a decoded sample: the delimiter is the one under which a header row shows up
    # (csv.Sniffer is easily fooled by commas in Vietnamese addresses and title lines).
    sample_bytes = stream.read(256 * 1024)
    stream.seek(0)
    sample = sample_bytes.decode("utf-8-sig", errors="ignore")
    lines = sample.splitlines()[: HEADER_SCAN_ROWS * 3]
    best, best_score = ",", -1
    for delimiter in (";", ",", "\t", "|"):
        score = 0
        for cells in csv.reader(lines, delimiter=delimiter):
            header = header_detect(0, cells)
            if header:
                score = max(score, len(header.columns))
        if score > best_score:
            best, best_score = delimiter, score
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=best)

    def rows():
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except UnicodeDecodeError as exc:
            raise FileUnreadable("not_utf8", str(exc), row=number + 1) from exc
        except csv.Error as exc:
            raise FileUnreadable("unreadable", str(exc), row=number + 1) from exc

    return rows(), text.detach


def sheet_rows_exceed(stream: BinaryIO, *, file_name: str, limit: int) -> bool:
    """Whether the file has more than ``limit`` rows, reading at most ``limit + 1`` of them (the
    admin's size check must itself be cheap). Leaves the stream at its start."""
    try:
        if _is_xlsx(stream, file_name):
            rows, close = _xlsx_rows(stream)
        else:
            rows, close = _csv_rows(stream)
    except FileUnreadable:
        stream.seek(0)
        return False  # the import itself reports an unreadable file, row by row
    try:
        return sum(1 for _ in itertools.islice(rows, limit + 1)) > limit
    except FileUnreadable:
        return False
    finally:
        close()
        stream.seek(0)


def sheet_open(stream: BinaryIO, *, file_name: str) -> Sheet:
    """Find the header among the first rows; title lines above it may name the decision."""
    if _is_xlsx(stream, file_name):
        rows, close = _xlsx_rows(stream)
    else:
        rows, close = _csv_rows(stream)
    titles: list[TitleDecision] = []
    for number, values in rows:
        cells = [cell_text(v) for v in values]
        header = header_detect(number, cells)
        if header:
            return Sheet(header=header, titles=titles, rows=rows, close=close)
        if any(cells) and (title := title_decision_parse(number, cells)):
            titles.append(title)
        if number >= HEADER_SCAN_ROWS:
            break
    close()
    raise FileUnreadable("no_header")
