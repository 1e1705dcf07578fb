"""A floor plan from CSV: one booth a row, all or nothing, every mistake reported by row and
column (the registry importer's rule: nothing is written unless every row is right).

Columns (header names in English or Vietnamese): zone, code, area_m2, price, x, y, width,
height, and optionally held_for (a locality cluster the booth is kept for) and blocked (yes/no).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from core.text import fold, nfc
from marketplace.fairs.errors import FairError
from marketplace.fairs.models import Booth, BoothStatus, Fair
from marketplace.fairs.permissions import organiser_member_require
from marketplace.fairs.services import free_of_overlap, layout_editable_check

HEADERS = {
    "zone": ("zone", "khu"),
    "code": ("code", "ma gian hang", "ma"),
    "area_m2": ("area_m2", "area", "dien tich"),
    "price": ("price", "gia"),
    "x": ("x",),
    "y": ("y",),
    "width": ("width", "w", "rong"),
    "height": ("height", "h", "sau"),
    "held_for": ("held_for", "giu cho"),
    "blocked": ("blocked", "khoa"),
}
REQUIRED = ("zone", "code", "area_m2", "x", "y", "width", "height")
MAX_ROWS = 2000
YES = {"yes", "y", "1", "true", "co", "x"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class LayoutReport:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = fold(name).strip().replace("_", " ")
        for column, variants in HEADERS.items():
            if key in {v.replace("_", " ") for v in variants}:
                found.setdefault(column, index)
    return found


def _int(value: str) -> int:
    number = int(value.strip().replace(".", "").replace(" ", ""))
    if number < 0:
        raise ValueError
    return number


def booth_layout_import(*, fair: Fair, actor, content: bytes | str) -> LayoutReport:
    """Create the booths described by ``content`` (CSV) in ``fair``. With any error, nothing is
    written and the report lists every error."""
    organiser_member_require(user=actor, organiser=fair.organiser)
    layout_editable_check(fair)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FairError(
                _("Save the file as CSV in UTF-8."), code="invalid", field="file"
            ) from None
    rows = list(csv.reader(io.StringIO(content)))
    report = LayoutReport()
    if not rows:
        raise FairError(_("The file is empty."), code="required", field="file")
    if len(rows) > MAX_ROWS + 1:
        raise FairError(
            _("At most %(count)s booths in one file.") % {"count": MAX_ROWS},
            code="invalid",
            field="file",
        )
    columns = _header_map(rows[0])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FairError(
            _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)},
            code="invalid",
            field="file",
        )
    zones = {fold(z.name): z for z in fair.zones.all()}
    existing = set(fair.booths.values_list("code", flat=True))
    booths: list[Booth] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row=row) -> str:
            index = columns.get(column)
            return nfc(row[index]) if index is not None and index < len(row) else ""

        def error(column: str, message: str, number=number) -> None:
            report.errors.append(RowError(number, column, message))

        zone = zones.get(fold(cell("zone")))
        if zone is None:
            error("zone", _("No zone “%(name)s” in this fair.") % {"name": cell("zone")})
        code = cell("code").upper()
        if not code or len(code) > 16:
            error("code", _("A booth code has 1 to 16 characters."))
        elif code in existing or code in seen:
            error("code", _("Booth %(code)s is already on the plan.") % {"code": code})
        seen.add(code)
        try:
            area = Decimal(cell("area_m2").replace(",", "."))
            if area <= 0 or area >= 10000:
                raise InvalidOperation
        except InvalidOperation:
            error("area_m2", _("The area is a number of m² above 0."))
            area = None
        values = {}
        for column in ("x", "y", "width", "height"):
            try:
                values[column] = _int(cell(column))
                if column in ("width", "height") and values[column] < 1:
                    raise ValueError
            except ValueError:
                error(column, _("A whole number is needed here."))
        price = fair.booth_fee
        if cell("price"):
            try:
                price = _int(cell("price"))
            except ValueError:
                error("price", _("The price is a whole number of đồng."))
        if zone is None or area is None or len(values) < 4 or not code:
            continue
        status, held_for = BoothStatus.AVAILABLE, cell("held_for")
        if fold(cell("blocked")) in YES:
            status, held_for = BoothStatus.BLOCKED, ""
        elif held_for:
            status = BoothStatus.HELD
        booths.append(
            Booth(
                fair=fair,
                zone=zone,
                code=code,
                area_m2=area,
                price=price,
                status=status,
                held_for=held_for,
                **values,
            )
        )
    if not report.errors:
        overlap = free_of_overlap(fair, [(b.code, (b.x, b.y, b.width, b.height)) for b in booths])
        if overlap:
            report.errors.append(RowError(0, "x", overlap))
    if report.errors:
        return report
    with transaction.atomic():
        Booth.objects.bulk_create(booths)
    report.created = len(booths)
    return report
