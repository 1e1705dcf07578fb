"""Stamp output (``traceability.printing``): QR codes that decode to their URL, A4 sheets with the
right labels on the right pages, layout validation, CSV for outside printers.

No database: printing is pure functions over plain data. QR codes are read back with zxing-cpp,
PDFs with pypdf (pages, text) and pypdfium2 (rendered, then every QR decoded).
"""

import dataclasses
import io
import random
import re
import xml.etree.ElementTree as ET

import pypdf
import pypdfium2
import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from core.printing.qr import (
    _packed,
    _penalty,
    _Version,
    _windows,
    qr_png,
    qr_rows,
    qr_svg,
    qr_version,
)
from traceability.printing import (
    QR_MIN_MM,
    SHEET_LAYOUT_CHOICES,
    SHEET_LAYOUTS,
    SheetLayout,
    SheetLayoutError,
    StampLabel,
    stamp_csv,
    stamp_csv_chunks,
    stamp_sheet_pdf,
)

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SHORT_PREFIX = "HTTPS://127.0.0.1:8000/S/"
# The longest short-form prefix we plan for: a real host name, uppercase (alphanumeric mode).
PRODUCTION_PREFIX = "HTTPS://CHO-OCOP.GOV.VN/S/"
NAME = "Mật ong hoa nhãn Tiên Yên hũ 500 g"


def short_url(rng: random.Random, prefix: str = SHORT_PREFIX) -> str:
    return prefix + "".join(rng.choice(BASE32) for _ in range(30))


def make_labels(count: int, *, seed: int = 1, pin: bool = False, stars: int | None = 4):
    rng = random.Random(seed)
    labels = []
    for i in range(count):
        url = short_url(rng)
        labels.append(
            StampLabel(
                url=url,
                serial=url[len(SHORT_PREFIX) :][:13],
                product_name=NAME,
                stars=stars,
                pin=f"{i:04d}{rng.randrange(10**4):04d}" if pin else None,
            )
        )
    return labels


def decode(image: Image.Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def reference_rows(url: str) -> tuple[str, ...]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return tuple("".join("1" if module else "0" for module in row) for row in qr.modules)


# --- the QR symbol ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    url=st.one_of(
        st.text(alphabet=BASE32, min_size=30, max_size=30).map(lambda c: SHORT_PREFIX + c),
        st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=300),
        st.text(alphabet="0123456789", min_size=1, max_size=400),
        st.text(min_size=1, max_size=200),
    )
)
def test_qr_rows_are_exactly_the_symbol_qrcode_makes(url):
    # The fast path (one build, masks derived by XOR, bit-parallel penalty, own Reed–Solomon)
    # must choose the same version and mask and produce the same modules as the library.
    assert qr_rows(url=url) == reference_rows(url)


@settings(max_examples=60, deadline=None)
@given(
    size=st.sampled_from([21, 25, 29, 33, 45]),
    seed=st.integers(0, 2**32),
    bias=st.floats(0.05, 0.95),
)
def test_mask_penalty_equals_qrcode_lost_point(size, seed, bias):
    rng = random.Random(seed)
    rows = ["".join("1" if rng.random() < bias else "0" for _ in range(size)) for _ in range(size)]
    version = _Version(size=size, windows=_windows(size), scored=(), final_rows=())
    modules = [[c == "1" for c in row] for row in rows]
    assert _penalty(_packed(rows), version) == qrcode.util.lost_point(modules)


def test_finder_like_patterns_are_penalised_in_rows_and_columns():
    size = 21
    rows = ["0" * size for _ in range(size)]
    rows[3] = "00001011101" + "0" * 10
    modules = [[c == "1" for c in row] for row in rows]
    version = _Version(size=size, windows=_windows(size), scored=(), final_rows=())
    expected = qrcode.util.lost_point(modules)
    assert _penalty(_packed(rows), version) == expected
    transposed = ["".join(column) for column in zip(*rows, strict=True)]
    assert _penalty(_packed(transposed), version) == expected


def test_short_url_fits_version_4_at_m_in_alphanumeric_mode():
    rng = random.Random(7)
    for prefix in (SHORT_PREFIX, PRODUCTION_PREFIX):
        url = short_url(rng, prefix)
        assert qr_version(url=url) <= 4
        assert len(qr_rows(url=url)) <= 33  # version 4 is 33 × 33 modules
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
        qr.add_data(url)
        assert [chunk.mode for chunk in qr.data_list] == [qrcode.util.MODE_ALPHA_NUM]
    # The same URL in lower case needs byte mode and a bigger symbol: why the form is uppercase.
    assert qr_version(url=short_url(rng).lower()) > qr_version(url=short_url(rng))


@pytest.mark.parametrize(
    "url",
    [
        SHORT_PREFIX + "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345",
        "https://127.0.0.1:8000/01/08931234567895/10/LOT-2026-07/21/K7Q2M4X9PZ3TA",
        "https://cho-ocop.vn/s/ĐặcSản?x=1",
    ],
)
def test_png_decodes_back_to_its_url(url):
    png = qr_png(url=url, box_size=4)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    side = (len(qr_rows(url=url)) + 8) * 4
    assert image.size == (side, side)
    assert decode(image) == [url]


def rasterise_svg(svg: str, scale: int = 6) -> Image.Image:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    side = int(root.get("viewBox").split()[2])
    image = Image.new("L", (side * scale, side * scale), 255)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x, y, width = int(x), int(y), int(width)
        image.paste(0, (x * scale, y * scale, (x + width) * scale, (y + 1) * scale))
    assert re.sub(r"M(\d+) (\d+)h(\d+)v1h-\3z", "", path) == ""  # nothing else in the path
    return image


def test_svg_is_well_formed_and_decodes_back_to_its_url():
    url = SHORT_PREFIX + "Z" * 30
    svg = qr_svg(url=url)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(svg)
    side = len(qr_rows(url=url)) + 8
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert decode(rasterise_svg(svg)) == [url]


# --- layouts ------------------------------------------------------------------------------------


def test_presets_are_valid_and_offered():
    assert {key for key, _label in SHEET_LAYOUT_CHOICES} == set(SHEET_LAYOUTS)
    assert [layout.labels_per_page for layout in SHEET_LAYOUTS.values()] == [65, 40, 24]
    assert all(layout.qr_mm >= QR_MIN_MM for layout in SHEET_LAYOUTS.values())
    assert SheetLayout() == SHEET_LAYOUTS["a4-5x13"]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"columns": 6}, "grid_too_wide", "columns"),
        ({"margin_left_mm": 20}, "grid_too_wide", "columns"),
        ({"rows": 14}, "grid_too_high", "rows"),
        ({"gap_y_mm": 1}, "grid_too_high", "rows"),
        ({"qr_mm": 14.9}, "qr_too_small", "qr_mm"),
        ({"qr_mm": 19.5}, "qr_too_big", "qr_mm"),
        ({"padding_mm": 0.5}, "quiet_zone_too_small", "padding_mm"),
        ({"label_width_mm": 28, "gap_x_mm": 2}, "no_room_for_text", "label_width_mm"),
        ({"columns": 0}, "invalid", "columns"),
        ({"rows": 2.5}, "invalid", "rows"),
        ({"gap_x_mm": -1}, "invalid", "gap_x_mm"),
        ({"font_size_pt": 0}, "invalid", "font_size_pt"),
    ],
)
def test_layout_validation(changes, code, field):
    with pytest.raises(SheetLayoutError) as caught:
        dataclasses.replace(SHEET_LAYOUTS["a4-5x13"], **changes)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert str(caught.value.message)


def test_layout_error_messages_say_what_is_wrong(settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(SheetLayoutError) as caught:
        SheetLayout(columns=6)
    assert str(caught.value.message) == "The label grid is 245.8 mm wide but the page only 210 mm."
    with translation.override("en"), pytest.raises(SheetLayoutError) as caught:
        SheetLayout(qr_mm=12)
    assert str(caught.value.message) == "The QR code must be at least 15 mm wide to scan reliably."


def test_a_qr_only_layout_may_use_narrow_labels():
    layout = SheetLayout(
        columns=9,
        rows=13,
        label_width_mm=19.2,
        gap_x_mm=2.5,
        show_product_name=False,
        show_stars=False,
        show_serial=False,
        show_pin=False,
    )
    assert layout.labels_per_page == 117


# --- PDF sheets ---------------------------------------------------------------------------------


def pdf_of(labels, layout=None):
    out = io.BytesIO()
    pages = stamp_sheet_pdf(labels=iter(labels), layout=layout or SheetLayout(), out=out)
    return pages, out.getvalue()


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (65, 1), (66, 2), (130, 2), (131, 3)])
def test_pdf_has_one_page_per_65_labels_and_every_serial(count, pages):
    labels = make_labels(count)
    returned, data = pdf_of(labels)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert returned == pages == len(reader.pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    for number, page in enumerate(reader.pages):
        text = page.extract_text()
        on_page = labels[number * 65 : (number + 1) * 65]
        assert [label.serial for label in labels if label.serial in text] == [
            label.serial for label in on_page
        ]
        assert text.count("OCOP ★★★★") == len(on_page)
        assert text.replace("\n", " ").count(NAME) == len(on_page)  # diacritics intact


def test_pdf_embeds_the_vietnamese_font():
    _pages, data = pdf_of(make_labels(3))
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    fonts = [font.get_object() for font in fonts.values()]
    assert sorted(str(font["/BaseFont"]).split("+")[1] for font in fonts) == [
        "DejaVuSansCondensed",
        "DejaVuSansCondensed-Bold",
    ]
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)  # embedded


def test_every_qr_on_a_rendered_sheet_decodes_to_its_label():
    labels = make_labels(70, seed=3)
    _pages, data = pdf_of(labels)
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 2
    found = []
    for page in document:
        found.append(sorted(decode(page.render(scale=3).to_pil())))
    assert found == [
        sorted(label.url for label in labels[:65]),
        sorted(label.url for label in labels[65:]),
    ]


def test_pdf_prints_pins_and_other_layouts():
    labels = make_labels(25, pin=True, stars=None)
    pages, data = pdf_of(labels, SHEET_LAYOUTS["a4-3x8"])
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert pages == len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(label.pin in text for label in labels)
    assert "★" not in text  # no stars given, none printed


def test_pdf_leaves_out_what_the_layout_hides():
    layout = dataclasses.replace(SheetLayout(), show_product_name=False, show_pin=False)
    _pages, data = pdf_of(make_labels(5, pin=True), layout)
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Mật ong" not in text
    assert "PIN" not in text
    assert text.count("OCOP ★★★★") == 5


def test_pdf_with_no_labels_is_refused():
    with pytest.raises(ValueError):
        pdf_of([])


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_serials_urls_names_stars():
    labels = [
        StampLabel(url=SHORT_PREFIX + "A" * 30, serial="A" * 13, product_name=NAME, stars=4),
        StampLabel(
            url=SHORT_PREFIX + "B" * 30,
            serial="B" * 13,
            product_name='Trà "hoa vàng", 100 g',
            stars=None,
        ),
    ]
    out = io.BytesIO()
    assert stamp_csv(labels=labels, out=out) == 2
    assert (
        out.getvalue()
        == (
            "\ufeffserial,url,gs1_digital_link,product_name,stars\r\n"
            f"AAAAAAAAAAAAA,{SHORT_PREFIX}{'A' * 30},,{NAME},4\r\n"
            f'BBBBBBBBBBBBB,{SHORT_PREFIX}{"B" * 30},,"Trà ""hoa vàng"", 100 g",\r\n'
        ).encode()
    )


def test_csv_has_a_pin_column_when_labels_carry_pins():
    labels = make_labels(3, pin=True)
    out = io.BytesIO()
    assert stamp_csv(labels=labels, out=out) == 3
    lines = out.getvalue().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "serial,url,gs1_digital_link,product_name,stars,pin"
    assert lines[1:] == [f"{x.serial},{x.url},,{x.product_name},4,{x.pin}" for x in labels] + [""]


def test_csv_streams_in_chunks_and_refuses_mixed_pins():
    chunks = list(stamp_csv_chunks(labels=make_labels(5), rows_per_chunk=2))
    assert len(chunks) == 3
    assert "".join(chunks).count("\r\n") == 6
    mixed = [*make_labels(1), *make_labels(1, pin=True)]
    with pytest.raises(ValueError):
        list(stamp_csv_chunks(labels=mixed))
    assert list(stamp_csv_chunks(labels=[])) == [
        "\ufeffserial,url,gs1_digital_link,product_name,stars\r\n"
    ]
