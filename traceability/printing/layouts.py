"""A4 label sheets: the geometry of a sheet (:class:`SheetLayout`), validated when it is built so an
impossible layout never reaches a printer, and the Avery-compatible presets offered to sellers."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.utils.translation import gettext_lazy as _

QR_MIN_MM = 15.0
# Light margin kept around the symbol inside the label: the "quiet zone" a scanner needs to find
# the finder patterns (≈ 2 modules of a version-3/4 code at 15 mm).
QUIET_ZONE_MIN_MM = 1.0
# Narrowest text column worth printing (a few characters of 5 pt text).
TEXT_MIN_MM = 10.0


class SheetLayoutError(Exception):
    """A sheet layout that cannot be printed. ``field`` names the setting at fault."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))


@dataclass(frozen=True)
class SheetLayout:
    """An A4 label sheet: a grid of ``columns`` × ``rows`` labels, sizes in millimetres.

    ``qr_mm`` is the printed symbol without its quiet zone; ``padding_mm`` is the light margin
    between the label edge and its content (it is the quiet zone on the QR side). Text (product
    name, stars, serial, PIN) goes in the column to the right of the QR.
    """

    columns: int = 5
    rows: int = 13
    label_width_mm: float = 38.1
    label_height_mm: float = 21.2
    margin_left_mm: float = 4.7
    margin_top_mm: float = 10.7
    gap_x_mm: float = 2.5
    gap_y_mm: float = 0.0
    qr_mm: float = 17.0
    padding_mm: float = 1.1
    font_size_pt: float = 5.0
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    show_product_name: bool = True
    show_stars: bool = True
    show_serial: bool = True
    show_pin: bool = True
    cut_guides: bool = False

    def __post_init__(self):
        _layout_validate(self)

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    @property
    def shows_text(self) -> bool:
        return self.show_product_name or self.show_stars or self.show_serial or self.show_pin

    @property
    def text_width_mm(self) -> float:
        return self.label_width_mm - 3 * self.padding_mm - self.qr_mm


def _layout_validate(layout: SheetLayout) -> None:
    for name in ("columns", "rows"):
        value = getattr(layout, name)
        if not isinstance(value, int) or value < 1:
            raise SheetLayoutError(
                _("Columns and rows must be whole numbers of at least 1."),
                code="invalid",
                field=name,
            )
    for f in fields(layout):
        if f.name.endswith("_mm") or f.name.endswith("_pt"):
            value = getattr(layout, f.name)
            positive = f.name.startswith(("label_", "page_", "qr_", "font_"))
            if value < 0 or (positive and value <= 0):
                raise SheetLayoutError(
                    _("Sizes must be positive and margins or gaps cannot be negative."),
                    code="invalid",
                    field=f.name,
                )
    width = layout.margin_left_mm + layout.columns * layout.label_width_mm
    width += (layout.columns - 1) * layout.gap_x_mm
    if width > layout.page_width_mm + 1e-9:
        raise SheetLayoutError(
            _("The label grid is %(grid)s mm wide but the page only %(page)s mm.")
            % {"grid": _mm(width), "page": _mm(layout.page_width_mm)},
            code="grid_too_wide",
            field="columns",
        )
    height = layout.margin_top_mm + layout.rows * layout.label_height_mm
    height += (layout.rows - 1) * layout.gap_y_mm
    if height > layout.page_height_mm + 1e-9:
        raise SheetLayoutError(
            _("The label grid is %(grid)s mm high but the page only %(page)s mm.")
            % {"grid": _mm(height), "page": _mm(layout.page_height_mm)},
            code="grid_too_high",
            field="rows",
        )
    if layout.qr_mm < QR_MIN_MM:
        raise SheetLayoutError(
            _("The QR code must be at least %(min)s mm wide to scan reliably.")
            % {"min": _mm(QR_MIN_MM)},
            code="qr_too_small",
            field="qr_mm",
        )
    if layout.padding_mm < QUIET_ZONE_MIN_MM:
        raise SheetLayoutError(
            _("Keep at least %(min)s mm of blank space around the QR code.")
            % {"min": _mm(QUIET_ZONE_MIN_MM)},
            code="quiet_zone_too_small",
            field="padding_mm",
        )
    needed = layout.qr_mm + 2 * layout.padding_mm
    if needed > min(layout.label_width_mm, layout.label_height_mm) + 1e-9:
        raise SheetLayoutError(
            _("A %(qr)s mm QR code with its margins does not fit on a %(w)s × %(h)s mm label.")
            % {
                "qr": _mm(layout.qr_mm),
                "w": _mm(layout.label_width_mm),
                "h": _mm(layout.label_height_mm),
            },
            code="qr_too_big",
            field="qr_mm",
        )
    if layout.shows_text and layout.text_width_mm < TEXT_MIN_MM:
        raise SheetLayoutError(
            _(
                "There is no room for text next to the QR code: use wider labels, a smaller "
                "QR code, or print the QR code alone."
            ),
            code="no_room_for_text",
            field="label_width_mm",
        )


def _mm(value: float) -> str:
    return f"{value:g}"


# Avery-compatible A4 sheets (L7651, L7654 and L7159 geometry).
SHEET_LAYOUTS: dict[str, SheetLayout] = {
    "a4-5x13": SheetLayout(),
    "a4-4x10": SheetLayout(
        columns=4,
        rows=10,
        label_width_mm=45.7,
        label_height_mm=25.4,
        margin_left_mm=9.7,
        margin_top_mm=21.5,
        gap_x_mm=2.6,
        qr_mm=21.0,
        padding_mm=1.5,
        font_size_pt=6.0,
    ),
    "a4-3x8": SheetLayout(
        columns=3,
        rows=8,
        label_width_mm=63.5,
        label_height_mm=33.9,
        margin_left_mm=7.2,
        margin_top_mm=12.9,
        gap_x_mm=2.5,
        qr_mm=28.0,
        padding_mm=2.0,
        font_size_pt=7.5,
    ),
}
SHEET_LAYOUT_DEFAULT = "a4-5x13"
SHEET_LAYOUT_CHOICES = [
    ("a4-5x13", _("A4, 65 labels per sheet (5 × 13, 38 × 21 mm), QR 17 mm")),
    ("a4-4x10", _("A4, 40 labels per sheet (4 × 10, 46 × 25 mm), QR 21 mm")),
    ("a4-3x8", _("A4, 24 labels per sheet (3 × 8, 64 × 34 mm), QR 28 mm")),
]
