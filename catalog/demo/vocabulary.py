"""The demo's vocabulary: its files, producers' names matched across them, legal types and
product sets from names, and the product table (names, sets and packs for each product form)."""

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from core.text import fold, nfc

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
CHAIN_PRODUCTS_FILE = DEMO_DIR / "quang-ninh-chain-products-2017.csv"
VALUE_CHAINS_FILE = DEMO_DIR / "quang-ninh-value-chains-2017.csv"
# Names, product sets and packs for the files' product forms (ours, not the plan's).
PRODUCT_TABLE_FILE = DEMO_DIR / "demo-products.csv"

PROVINCE_NAME = "Quảng Ninh"
# The framework whose product sets products are filed under (the one in force now).
CURRENT_FRAMEWORK = "QD26-2026"
GTIN_PREFIX = "8930000"  # 893 = GS1 Vietnam; the rest is a made-up company prefix for the demo.
SOURCE_NOTE = "địa chỉ theo đề án 2017"

# District-level units as they were in 2017 (Hoành Bồ has since been merged into Hạ Long, and
# districts were abolished on 1 July 2025): the address is kept as the plan gave it.
LEGACY_DISTRICT_TYPES = {
    "Đông Triều": "thị xã",
    "Quảng Yên": "thị xã",
    "Uông Bí": "thành phố",
    "Hoành Bồ": "huyện",
    "Hạ Long": "thành phố",
    "Cẩm Phả": "thành phố",
    "Vân Đồn": "huyện",
    "Ba Chẽ": "huyện",
    "Tiên Yên": "huyện",
    "Bình Liêu": "huyện",
    "Đầm Hà": "huyện",
    "Hải Hà": "huyện",
    "Móng Cái": "thành phố",
    "Cô Tô": "huyện",
}

# The plan abbreviates the same words differently from row to row ("CP", "cổ phần", "Cổ phần");
# producers are matched across files on the expanded, folded name.
_ABBREVIATIONS = {
    "htx": "hop tac xa",
    "ct": "cong ty",
    "cp": "co phan",
    "sx": "san xuat",
    "kd": "kinh doanh",
    "tm": "thuong mai",
    "dv": "dich vu",
    "tmdv": "thuong mai dich vu",
    "xd": "xay dung",
    "mtv": "mot thanh vien",
}
# "và"/"&" come and go between spellings of one name ("Hội SX KD …" / "Hội Sản xuất và kinh
# doanh …"), so they are not part of the key.
_KEY_STOPWORDS = {"va", "&"}
# Two producers the plan names two ways that no abbreviation rule can join: the same chain and
# district, so they are the same business (keys are producer_key() values).
_PRODUCER_ALIASES = {
    "cong ty tnhh quang vinh": "cong ty tnhh gom su quang vinh",
    "hop tac xa phat trien xanh binh lieu": "hop tac xa phat trien xanh",
}


def producer_key(name: str) -> str:
    """A matching key for a producer name: folded, punctuation dropped, abbreviations expanded."""
    text = fold(name).replace("&", " & ").replace("-", " ")
    words = [_ABBREVIATIONS.get(w, w) for w in text.split() if w not in _KEY_STOPWORDS]
    key = " ".join(words)
    return _PRODUCER_ALIASES.get(key, key)


# Product sets by keyword, for product forms demo-products.csv does not name. Checked in order:
# the first rule with a phrase among the folded words wins, so specific phrases come first
# ("rượu bâu men lá" is a white spirit before "rượu" makes it another alcoholic drink).
_SET_KEYWORDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("mat ong",), 4),
    (("nuoc mam", "nuoc cham", "tuong"), 9),
    (("tinh dau",), 20),
    (("vien nang", "vien giai ruou", "cao", "thuoc"), 18),
    (("men la", "ruou trang", "ruou nep"), 14),
    (("ruou", "bia"), 15),
    (("tra hoa vang", "che", "tra xanh"), 11),
    (("tra", "tui loc"), 12),
    (("gom", "tranh", "ngoc trai", "trang suc", "may tre dan", "go my nghe"), 21),
    (("hoa tuoi", "hoa cat"), 23),
    (("thao duoc", "duoc lieu", "ba kich", "linh chi"), 20),
    (("mien", "bun", "banh da", "com"), 6),
    (("gao", "nep"), 3),
    (("cu cai kho", "cu cai phen", "mut", "dua muoi"), 7),
    (
        (
            "cha",
            "gio",
            "ruoc",
            "khau nhuc",
            "mot nang",
            "muc kho",
            "ca kho",
            "ca duoi kho",
            "tom kho",
        ),
        8,
    ),
    (("trung", "thit", "ga", "ca", "ghe", "tom", "muc", "hau"), 2),
    (("dau",), 4),
    (("rau", "qua", "cam", "cu", "hat"), 1),
)
_WORDS = re.compile(r"[a-z0-9]+")


def product_set_guess(text: str) -> int:
    """The product set a text suggests ("Trà túi lọc Trà hoa vàng" -> 11: the form, then its
    chain, since "Nhóm gia dụng" alone says nothing); set 4 ("other farm food") if no keyword."""
    words = f" {' '.join(_WORDS.findall(fold(text)))} "
    for phrases, number in _SET_KEYWORDS:
        if any(f" {phrase} " in words for phrase in phrases):
            return number
    return 4


@dataclass(frozen=True)
class Pack:
    name: str
    quantity: Decimal | None
    unit: str


@dataclass(frozen=True)
class ProductSpec:
    name: str
    set_number: int
    packs: tuple[Pack, ...]


@dataclass(frozen=True)
class ValueChainProduct:
    chain: str
    form: str
    organisation: str
    spec: ProductSpec


@dataclass(frozen=True)
class ProductTable:
    """``demo-products.csv``: a sensible name, product set and packs for each product form.

    ``district`` rows apply to every producer the district file lists for the chain. The
    value-chain file lists a chain's forms and its organisations without saying who makes what,
    so only its ``value_chain`` rows (one organisation each) become products; the file's other
    organisations are businesses without products yet.
    """

    district: dict[tuple[str, str], ProductSpec]
    value_chain: list[ValueChainProduct]


def list_split(value: str | None) -> list[str]:
    return [nfc(part) for part in (value or "").split(";") if nfc(part)]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: nfc(v) for k, v in row.items() if k} for row in csv.DictReader(fh)]


def packs_parse(text: str) -> tuple[Pack, ...]:
    """ "Hũ 500 g|500|g; Hũ 1 kg|1|kg" -> packs (name | net quantity | unit)."""
    packs = []
    for item in list_split(text):
        name, quantity, unit = (nfc(part) for part in item.split("|"))
        packs.append(Pack(name, Decimal(quantity) if quantity else None, unit))
    return tuple(packs)


def product_table_read(*, path: Path = PRODUCT_TABLE_FILE) -> ProductTable:
    table = ProductTable(district={}, value_chain=[])
    for row in csv_rows(path):
        # An empty product_set column leaves the choice to the keywords.
        number = int(
            row["product_set"] or product_set_guess(f"{row['product_form']} {row['chain']}")
        )
        spec = ProductSpec(row["product_name"], number, packs_parse(row["packs"]))
        if row["source"] == "district":
            table.district[(fold(row["chain"]), fold(row["product_form"]))] = spec
        elif row["source"] == "value_chain":
            table.value_chain.append(
                ValueChainProduct(row["chain"], row["product_form"], row["organisation"], spec)
            )
        else:
            raise ValueError(f"{path}: unknown source {row['source']!r}")
    return table
