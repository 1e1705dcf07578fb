"""Registry officials import a list of points of sale from CSV or XLSX, all or nothing.

Like the recognition-list import (``catalog.importer``): every row is checked first — with the
very checks the workspace and the API use (``point_fields_clean``: coordinates inside Vietnam,
phone numbers by ``core.phone``, NFC text, a name not already used by the operator) — and the
report lists each refusal with its row, its column and a message in the official's language.
Only a file without a single refusal is written, in one transaction; a dry run writes nothing.

Columns (Vietnamese or English headers, case and accents ignored): operator tax code, name,
kind, province, commune, street, address, latitude, longitude, phone, description (vi/en),
approximate.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.importer.parsing import FileUnreadable, cell_text, xlsx_is, xlsx_rows
from core.errors import DomainError
from core.selectors import province_lookup_table, province_resolve
from core.text import fold
from marketplace.places.models import PointKind
from marketplace.places.services import point_fields_clean, point_operator_check, point_write
from sellers.errors import SellerError
from sellers.models import Business
from sellers.services import tax_code_normalise

MAX_ROWS = 5000

# Header (folded, spaces as underscores) -> field.
HEADERS = {
    "ma_so_thue": "tax_code",
    "mst": "tax_code",
    "tax_code": "tax_code",
    "operator_tax_code": "tax_code",
    "ten": "name",
    "ten_diem_ban": "name",
    "name": "name",
    "loai": "kind",
    "loai_diem": "kind",
    "kind": "kind",
    "tinh": "province",
    "tinh_thanh_pho": "province",
    "province": "province",
    "xa_phuong": "commune",
    "xa": "commune",
    "phuong_xa": "commune",
    "commune": "commune",
    "duong": "street",
    "so_nha_duong": "street",
    "dia_chi_duong": "street",
    "street": "street",
    "dia_chi": "legacy_address",
    "address": "legacy_address",
    "vi_do": "latitude",
    "latitude": "latitude",
    "lat": "latitude",
    "kinh_do": "longitude",
    "longitude": "longitude",
    "lng": "longitude",
    "lon": "longitude",
    "dien_thoai": "phone",
    "so_dien_thoai": "phone",
    "phone": "phone",
    "mo_ta": "description_vi",
    "mo_ta_tieng_viet": "description_vi",
    "description_vi": "description_vi",
    "mo_ta_tieng_anh": "description_en",
    "description_en": "description_en",
    "description": "description_en",
    "gan_dung": "approximate",
    "toa_do_gan_dung": "approximate",
    "approximate": "approximate",
}
REQUIRED = ("tax_code", "name", "kind", "province", "latitude", "longitude")
YES = {"x", "1", "yes", "co", "true", "approximate", "gan dung"}


def _key(text: str) -> str:
    return "_".join(fold(text).replace("(", " ").replace(")", " ").split())


@dataclass(frozen=True)
class PointRowError:
    row: int | None  # as numbered in the file; None for the file as a whole
    column: str  # the header as the file writes it
    message: str  # in the language of the import's user


@dataclass
class PointImportReport:
    file_name: str = ""
    dry_run: bool = False
    applied: bool = False
    rows_read: int = 0
    points_created: int = 0
    errors: list[PointRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _kinds() -> dict[str, str]:
    """Each kind by its code and by its label in both languages, folded."""
    from django.utils import translation

    table = {}
    for value, label in PointKind.choices:
        table[fold(value)] = value
        for language in ("vi", "en"):
            with translation.override(language):
                table[fold(str(label))] = value
    return table


def _rows(stream: BinaryIO, file_name: str):
    if xlsx_is(stream, file_name):
        return xlsx_rows(stream)
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable("not_utf8", str(exc)) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return enumerate(reader, start=1), lambda: None


def _file_error(report: PointImportReport, message: str) -> PointImportReport:
    report.errors.append(PointRowError(None, "", message))
    return report


def points_import(*, source: BinaryIO, file_name: str, dry_run: bool = False) -> PointImportReport:
    """Check every row, then create every point or none. The caller (the admin) has checked
    that the user is a registry official."""
    report = PointImportReport(file_name=file_name, dry_run=dry_run)
    try:
        rows, close = _rows(source, file_name)
    except FileUnreadable as error:
        if error.kind == "not_utf8":
            return _file_error(report, _("The file is not UTF-8 text; save it as CSV UTF-8."))
        return _file_error(report, _("The file cannot be read as CSV or XLSX."))
    try:
        rows = [(number, [cell_text(value) for value in values]) for number, values in rows]
    except FileUnreadable:
        return _file_error(report, _("The file cannot be read as CSV or XLSX."))
    finally:
        close()
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        return _file_error(report, _("The file is empty."))
    header_row, header = rows[0]
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, title in enumerate(header):
        name = HEADERS.get(_key(title))
        if name and name not in columns:
            columns[name], labels[name] = index, title
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        return _file_error(
            report,
            _("Row %(row)s, the header, lacks the columns: %(columns)s.")
            % {"row": header_row, "columns": ", ".join(missing)},
        )
    body = rows[1:]
    if len(body) > MAX_ROWS:
        return _file_error(
            report,
            _("At most %(max)s points per file.") % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
        )
    report.rows_read = len(body)
    provinces = province_lookup_table()
    kinds = _kinds()
    operators: dict[str, Business | None] = {}
    names_seen: dict[tuple[int, str], int] = {}
    planned = []

    def cell(cells, name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def refuse(number, name, message):
        report.errors.append(PointRowError(number, labels.get(name, name), str(message)))

    for number, cells in body:
        before = len(report.errors)
        operator = None
        try:
            tax_code = tax_code_normalise(cell(cells, "tax_code"))
        except SellerError as error:
            refuse(number, "tax_code", error.message)
        else:
            if tax_code not in operators:
                operators[tax_code] = Business.objects.filter(tax_code=tax_code).first()
            operator = operators[tax_code]
            if operator is None:
                refuse(
                    number,
                    "tax_code",
                    _("No business has the tax code %(code)s.") % {"code": tax_code},
                )
            else:
                try:
                    point_operator_check(operator)
                except DomainError as error:
                    refuse(number, "tax_code", error.message)
                    operator = None
        kind = kinds.get(fold(cell(cells, "kind")))
        if kind is None:
            refuse(
                number,
                "kind",
                _("“%(value)s” is not a kind of point of sale.") % {"value": cell(cells, "kind")},
            )
        found = province_resolve(name=cell(cells, "province"), table=provinces)
        if found is None:
            refuse(
                number,
                "province",
                _("“%(value)s” is not a province of Vietnam.") % {"value": cell(cells, "province")},
            )
        if operator is None:
            continue
        fields = {
            "name": cell(cells, "name"),
            "kind": kind or "",
            "province": found[0] if found else None,
            "latitude": cell(cells, "latitude"),
            "longitude": cell(cells, "longitude"),
            "commune": cell(cells, "commune"),
            "street": cell(cells, "street"),
            "legacy_address": cell(cells, "legacy_address"),
            "phone": cell(cells, "phone"),
            "description_vi": cell(cells, "description_vi"),
            "description_en": cell(cells, "description_en"),
        }
        try:
            clean = point_fields_clean(business=operator, **fields)
        except DomainError as error:
            for one in error.errors:
                # kind and province are reported above, from the file's own words.
                if one.field not in ("kind", "province"):
                    refuse(number, one.field or "", one.message)
            clean = None
        if clean is not None:
            key = (operator.pk, fold(clean["name"]))
            if key in names_seen:
                refuse(
                    number,
                    "name",
                    _("The same operator's point “%(name)s” is already on row %(row)s.")
                    % {"name": clean["name"], "row": names_seen[key]},
                )
            else:
                names_seen[key] = number
        if len(report.errors) == before:
            approximate = fold(cell(cells, "approximate")) in YES
            planned.append((operator, fields, approximate))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for operator, fields, approximate in planned:
            point_write(business=operator, coordinates_approximate=approximate, **fields)
    report.points_created = len(planned)
    report.applied = True
    return report
