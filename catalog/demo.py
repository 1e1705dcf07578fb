"""The demo catalogue: Quảng Ninh's real OCOP chains (plan of 2017) with invented scores.

Names of chains, product forms, producers and districts come from the two CSV files in
``catalog/data/demo/`` (Decision 2366/QĐ-UBND, 21/06/2017, copied here so the repository runs on
its own). Those files carry no scores, so every decision, evaluation and certificate made here is
invented, numbered ``DEMO-…`` and flagged ``is_demo`` together with the businesses and products,
so pages and the API can label them as demo data.

Everything is looked up by a natural key before it is created, so loading twice changes nothing;
dates are fixed (not relative to today) so a second run on another day finds the same rows.
Certificates change status only through ``catalog.services``.
"""

import csv
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    EvaluationLevel,
    Framework,
    Product,
    ProductSet,
    ProductVariant,
    RevocationGround,
)
from catalog.services import certificate_issue, certificate_revoke, evaluation_record
from catalog.validators import gtin_check_digit
from core.models import LegacyProvince
from core.search import search_rows_changed
from core.selectors import province_resolve
from core.text import fold, nfc, slugify_vi
from sellers.models import Business, LegalType, business_slug_base

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
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


def legal_type_from_name(name: str) -> str:
    """The legal type a Vietnamese business name announces ("HTX …", "Công ty CP …", "Cơ sở …")."""
    key = fold(name)
    if key.startswith(("htx", "hop tac xa")):
        return LegalType.COOPERATIVE
    if key.startswith("dntn"):
        return LegalType.PRIVATE_ENTERPRISE
    if key.startswith(("cong ty", "ct cp", "ct tnhh")):
        return LegalType.ENTERPRISE
    if key.startswith("co so"):
        return LegalType.PRODUCTION_FACILITY
    if key.startswith("hoi "):
        return LegalType.ASSOCIATION
    return LegalType.OTHER


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


def _packs(text: str) -> tuple[Pack, ...]:
    """ "Hũ 500 g|500|g; Hũ 1 kg|1|kg" -> packs (name | net quantity | unit)."""
    packs = []
    for item in _split(text):
        name, quantity, unit = (nfc(part) for part in item.split("|"))
        packs.append(Pack(name, Decimal(quantity) if quantity else None, unit))
    return tuple(packs)


def product_table_read(*, path: Path = PRODUCT_TABLE_FILE) -> ProductTable:
    table = ProductTable(district={}, value_chain=[])
    for row in _read(path):
        # An empty product_set column leaves the choice to the keywords.
        number = int(
            row["product_set"] or product_set_guess(f"{row['product_form']} {row['chain']}")
        )
        spec = ProductSpec(row["product_name"], number, _packs(row["packs"]))
        if row["source"] == "district":
            table.district[(fold(row["chain"]), fold(row["product_form"]))] = spec
        elif row["source"] == "value_chain":
            table.value_chain.append(
                ValueChainProduct(row["chain"], row["product_form"], row["organisation"], spec)
            )
        else:
            raise ValueError(f"{path}: unknown source {row['source']!r}")
    return table


# ---------------------------------------------------------------------------------------------
# The invented scoring history. Fixed dates: the 2023 decision is past its 36 months (expired),
# the others are in force until 2027–2029.


@dataclass(frozen=True)
class DecisionSpec:
    number: str
    date: datetime.date
    issuer: str
    framework: str
    provincial: bool
    level: str
    council: str


PROVINCIAL_COUNCIL = "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Quảng Ninh (demo)"
DECISIONS: dict[str, DecisionSpec] = {
    "2023": DecisionSpec(
        "DEMO-1011/QĐ-UBND",
        datetime.date(2023, 5, 10),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    "2024": DecisionSpec(
        "DEMO-2468/QĐ-UBND",
        datetime.date(2024, 9, 16),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    # ★5 is recognised centrally (by the ministry under 148/2023), never by the province.
    "2024-central": DecisionSpec(
        "DEMO-0921/QĐ-BNN-KTHT",
        datetime.date(2024, 11, 20),
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "QD148-2023",
        False,
        EvaluationLevel.CENTRAL,
        "Hội đồng đánh giá, phân hạng sản phẩm OCOP cấp trung ương (demo)",
    ),
    "2025": DecisionSpec(
        "DEMO-1357/QĐ-UBND",
        datetime.date(2025, 6, 20),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    "2026": DecisionSpec(
        "DEMO-3690/QĐ-UBND",
        datetime.date(2026, 9, 15),
        "UBND tỉnh Quảng Ninh",
        "QD26-2026",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
}

# Set-1 score sheet of 26/2026 (criterion code -> points of the chosen option). Total 71 is ★4 by
# band, but 2.3 "style and labelling" scores 2 where 3 (electronic traceability code on the
# label) is the ★4 minimum: the product is capped at ★3.
# fmt: off
CAM_VAN_YEN_CHOICES: dict[str, Decimal] = {
    code: Decimal(points)
    for code, points in {
        # A 29/40
        "1.1": 3, "1.2": 1, "1.3": 2, "1.4": 2, "1.5": 2, "1.6": 2, "1.7": 0,
        "2.1": 3, "2.2": 2, "2.3": 2, "2.4": 0,
        "3.1": 3, "3.2": 0, "3.3": 3, "3.4": 2, "3.5": 2,
        # B 18/25
        "4.1": 3, "4.2": 2, "4.3": 3,
        "5.1": 5, "5.2": 2, "5.3": 3,
        # C 24/35
        "6.1": 2, "6.2": 3, "6.3": 3, "6.4": 2,
        "7": 1, "8": 3, "9": 4, "10": 3, "11": 2, "12": 1,
    }.items()
}
# fmt: on
# The same sheet with the traceability code on the label: 72 points, every ★4 minimum met.
RAU_MAM_CHOICES: dict[str, Decimal] = {**CAM_VAN_YEN_CHOICES, "2.3": Decimal(3)}


@dataclass(frozen=True)
class ScoreSpec:
    product: str
    holder: str
    decision: str | None
    parts: tuple[int, int, int] | None = None
    choices: dict[str, Decimal] | None = None
    certify: bool = True
    revoke: str = ""
    # Only for the record without a decision (a commune pre-review).
    level: str = ""
    evaluated_on: datetime.date | None = None
    framework: str = ""
    council: str = ""


# In date order: issuing a certificate supersedes the product's certificate in force.
SCORES: tuple[ScoreSpec, ...] = (
    ScoreSpec("Mật ong Tiên Yên", "Hợp tác xã Khai thác mật ong Tiên Yên", "2023", (26, 15, 21)),
    ScoreSpec("Củ cải khô Đầm Hà", "HTX DV nông nghiệp tổng hợp Trường Sơn", "2023", (25, 14, 20)),
    ScoreSpec("Cá song Đầm Hà", "HTX TMDV và nuôi trồng thủy sản Đức Thịnh", "2023", (24, 13, 21)),
    ScoreSpec("Miến dong Bình Liêu", "CT CP thương mại và dịch vụ Bình Liêu", "2024", (32, 20, 27)),
    ScoreSpec(
        "Rau mầm Song Hành", "Công ty cổ phần đầu tư Song Hành Quảng Ninh", "2024", (27, 15, 23)
    ),
    ScoreSpec(
        "Trứng vịt biển Đồng Rui",
        "Hợp tác xã vịt Đồng Tiến",
        "2024",
        (25, 15, 22),
        revoke=RevocationGround.MARK_MISUSE,
    ),
    ScoreSpec("Ba kích khô Ba Chẽ", "HTX kinh doanh lâm sản ngoài gỗ Ba Chẽ", "2024", (26, 16, 24)),
    ScoreSpec("Nước mắm sá sùng Cái Rồng", "Công ty CP thủy sản Cái Rồng", "2024", (33, 19, 29)),
    ScoreSpec(
        "Chả mực Hạ Long",
        "Hội Sản xuất và kinh doanh chả mực Hạ Long",
        "2024-central",
        (38, 23, 32),
    ),
    ScoreSpec(
        "Trà hoa vàng Ba Chẽ",
        "Công ty CP kinh doanh lâm sản Đạp Thanh",
        "2024-central",
        (37, 22, 32),
    ),
    ScoreSpec("Mật ong Tiên Yên", "Hợp tác xã Khai thác mật ong Tiên Yên", "2025", (31, 19, 26)),
    ScoreSpec(
        "Rượu ba kích Ba Chẽ", "Công ty CP kinh doanh lâm sản Đạp Thanh", "2025", (33, 20, 28)
    ),
    ScoreSpec("Chè Đường Hoa", "Công ty TNHH Thuấn Quỳnh", "2025", (27, 15, 24)),
    ScoreSpec(
        "Gốm sứ trang trí Quang Vinh", "Công ty TNHH gốm sứ Quang Vinh", "2025", (32, 20, 27)
    ),
    ScoreSpec("Giò lụa Móng Cái", "Cơ sở sản xuất giò chả Quang Dần", "2025", (25, 16, 23)),
    ScoreSpec("Cam Vạn Yên", "HTX Nông trang Vạn Yên", "2026", choices=CAM_VAN_YEN_CHOICES),
    # An upgrade: ★3 in 2024, ★4 now; the 2024 certificate is superseded.
    ScoreSpec(
        "Rau mầm Song Hành",
        "Công ty cổ phần đầu tư Song Hành Quảng Ninh",
        "2026",
        choices=RAU_MAM_CHOICES,
    ),
    # A commune pre-review below 50 points: ★2, so no decision and no certificate.
    ScoreSpec(
        "Cốm hồng hương Yên Tử",
        "Công ty CP Giống cây trồng Quảng Ninh",
        None,
        (18, 10, 17),
        certify=False,
        level=EvaluationLevel.COMMUNE,
        evaluated_on=datetime.date(2026, 10, 5),
        framework="QD26-2026",
        council="Tổ thẩm định cấp xã (demo)",
    ),
)
REVOCATION_NOTE = "Dữ liệu minh hoạ (demo), không phải quyết định thu hồi thật."
# (holder, product) whose first pack gets a demo GTIN-13 (893…); the rest have none, like most
# OCOP goods.
GTIN_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Hợp tác xã Khai thác mật ong Tiên Yên", "Mật ong Tiên Yên"),
    ("Hội Sản xuất và kinh doanh chả mực Hạ Long", "Chả mực Hạ Long"),
    ("Công ty CP kinh doanh lâm sản Đạp Thanh", "Trà hoa vàng Ba Chẽ"),
    ("Công ty CP thủy sản Cái Rồng", "Nước mắm sá sùng Cái Rồng"),
    ("CT CP thương mại và dịch vụ Bình Liêu", "Miến dong Bình Liêu"),
    ("Công ty CP kinh doanh lâm sản Đạp Thanh", "Rượu ba kích Ba Chẽ"),
    ("HTX Nông trang Vạn Yên", "Cam Vạn Yên"),
    ("Công ty TNHH gốm sứ Quang Vinh", "Gốm sứ trang trí Quang Vinh"),
)


# ---------------------------------------------------------------------------------------------
# Reading the files


@dataclass
class ProducerRow:
    key: str
    name: str
    district: str = ""


@dataclass(frozen=True)
class ProductRow:
    producer_key: str
    chain: str
    form: str
    district: str
    spec: ProductSpec


@dataclass
class DemoPlan:
    producers: dict[str, ProducerRow]
    products: list[ProductRow]
    skipped_chains: list[str]


def _split(value: str | None) -> list[str]:
    return [nfc(part) for part in (value or "").split(";") if nfc(part)]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: nfc(v) for k, v in row.items() if k} for row in csv.DictReader(fh)]


def _district_in(name: str) -> str:
    """A 2017 district named inside a producer's name ("HTX Dược liệu xanh Đông Triều")."""
    folded = fold(name)
    found = [d for d in LEGACY_DISTRICT_TYPES if fold(d) in folded]
    return found[0] if len(found) == 1 else ""


def _product_spec(table: ProductTable, chain: str, form: str, district: str) -> ProductSpec:
    spec = table.district.get((fold(chain), fold(form)))
    if spec is not None:
        return spec
    # A form the table does not know (a re-typed or extended CSV): name it after the form and the
    # place, and let the keywords choose the set.
    name = form if not district or fold(district) in fold(form) else f"{form} {district}"
    return ProductSpec(name, product_set_guess(f"{form} {chain}"), _packs("Gói 500 g|500|g"))


def demo_plan(
    *,
    chain_products: Path = CHAIN_PRODUCTS_FILE,
    value_chains: Path = VALUE_CHAINS_FILE,
    product_table: Path = PRODUCT_TABLE_FILE,
) -> DemoPlan:
    """Producers and products the files yield (no database access)."""
    table = product_table_read(path=product_table)
    producers: dict[str, ProducerRow] = {}
    products: list[ProductRow] = []
    skipped: list[str] = []

    def producer(name: str, district: str) -> str:
        key = producer_key(name)
        row = producers.get(key)
        if row is None:
            # The first spelling met wins: the district file, read first, spells names in full.
            row = producers[key] = ProducerRow(key=key, name=name)
        if not row.district:
            row.district = district or _district_in(name)
        return key

    for row in _read(chain_products):
        district = row["legacy_district"]
        names = _split(row["producers"])
        if not names:
            # No producer named: a product needs a holder, and inventing one would put a fake
            # business beside real ones, so the chain is left out of the demo.
            skipped.append(row["chain"])
            continue
        for name in names:
            key = producer(name, district)
            for form in _split(row["product_forms"]):
                spec = _product_spec(table, row["chain"], form, district)
                products.append(ProductRow(key, row["chain"], form, district, spec))

    value_rows = _read(value_chains)
    for row in value_rows:
        for name in _split(row["organisations"]):
            producer(name, "")
    for item in table.value_chain:
        key = producer_key(item.organisation)
        listed = any(
            fold(r["chain"]) == fold(item.chain)
            and fold(item.form) in {fold(f) for f in _split(r["product_forms"])}
            and key in {producer_key(o) for o in _split(r["organisations"])}
            for r in value_rows
        )
        if not listed:
            raise ValueError(
                f"{product_table.name}: {item.chain} / {item.form} / {item.organisation} "
                f"is not a row of {value_chains.name}"
            )
        district = producers[key].district
        products.append(ProductRow(key, item.chain, item.form, district, item.spec))

    # One product per (holder, name): the two files repeat chains.
    unique: dict[tuple[str, str], ProductRow] = {}
    for product in products:
        unique.setdefault((product.producer_key, product.spec.name), product)
    return DemoPlan(producers=producers, products=list(unique.values()), skipped_chains=skipped)


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class DemoSummary:
    businesses: int = 0
    businesses_created: int = 0
    products: int = 0
    products_created: int = 0
    variants: int = 0
    variants_created: int = 0
    decisions: int = 0
    evaluations: int = 0
    evaluations_created: int = 0
    certificates: dict[str, int] = field(default_factory=dict)
    skipped_chains: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield "Demo data: Quảng Ninh OCOP plan 2017 (real names; invented scores and decisions)"
        yield f"  businesses:   {self.businesses} ({self.businesses_created} new)"
        yield f"  products:     {self.products} ({self.products_created} new)"
        yield f"  variants:     {self.variants} ({self.variants_created} new)"
        yield f"  decisions:    {self.decisions}"
        yield f"  evaluations:  {self.evaluations} ({self.evaluations_created} new)"
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.certificates.items()))
        yield f"  certificates: {sum(self.certificates.values())} ({statuses})"
        if self.skipped_chains:
            yield "  left out (no producer named): " + ", ".join(self.skipped_chains)


def _unique_slug(model, base: str) -> str:
    slug, n = base[:200], 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base[:200]}-{n}", n + 1
    return slug


def _district_label(district: str) -> str:
    return f"{LEGACY_DISTRICT_TYPES.get(district, 'huyện')} {district}"


def _legacy_address(district: str) -> str:
    province = f"tỉnh {PROVINCE_NAME} ({SOURCE_NOTE})"
    return f"{_district_label(district)}, {province}" if district else province


def _gtin(item: int) -> str:
    body = f"{GTIN_PREFIX}{item:05d}"
    return f"{body}{gtin_check_digit(body)}"


@transaction.atomic
def demo_load(
    *,
    chain_products: Path = CHAIN_PRODUCTS_FILE,
    value_chains: Path = VALUE_CHAINS_FILE,
    product_table: Path = PRODUCT_TABLE_FILE,
) -> DemoSummary:
    """Load the demo catalogue; all or nothing, and a second run changes nothing."""
    plan = demo_plan(
        chain_products=chain_products, value_chains=value_chains, product_table=product_table
    )
    summary = DemoSummary(skipped_chains=plan.skipped_chains)
    resolved = province_resolve(name=PROVINCE_NAME)
    if resolved is None:
        raise ValueError(f"Province {PROVINCE_NAME} is not loaded (run migrate first).")
    province = resolved[0]
    legacy_province = LegacyProvince.objects.filter(
        current=province, name_folded=fold(PROVINCE_NAME)
    ).first()

    businesses: dict[str, Business] = {}
    for key, row in plan.producers.items():
        business = Business.objects.filter(name=row.name, province=province, is_demo=True).first()
        if business is None:
            business = Business.objects.create(
                name=row.name,
                name_folded=fold(row.name),
                slug=_unique_slug(Business, business_slug_base(row.name)),
                legal_type=legal_type_from_name(row.name),
                province=province,
                legacy_province=legacy_province,
                legacy_address=_legacy_address(row.district),
                is_demo=True,
            )
            summary.businesses_created += 1
        businesses[key] = business
    summary.businesses = len(businesses)

    sets = {s.number: s for s in ProductSet.objects.filter(framework__code=CURRENT_FRAMEWORK)}
    products: dict[tuple[str, str], Product] = {}
    created_products: list[int] = []
    for row in plan.products:
        holder = businesses[row.producer_key]
        spec = row.spec
        product = Product.objects.filter(holder=holder, name=spec.name, is_demo=True).first()
        if product is None:
            base = slugify_vi(spec.name)
            if Product.objects.filter(slug=base).exists():
                # Another holder already uses the name (two producers of one chain).
                base = slugify_vi(f"{spec.name} {holder.name}")
            product = Product.objects.create(
                name=spec.name,
                name_folded=fold(spec.name),
                slug=_unique_slug(Product, base),
                holder=holder,
                product_set=sets.get(spec.set_number),
                description=(
                    f"Chuỗi “{row.chain}”"
                    + (f", {_district_label(row.district)}" if row.district else "")
                    + ", theo Đề án OCOP tỉnh Quảng Ninh 2017 (QĐ 2366/QĐ-UBND). "
                    "Dữ liệu minh hoạ: điểm, hạng sao và quyết định là giả định."
                ),
                is_demo=True,
            )
            summary.products_created += 1
            created_products.append(product.pk)
        products[(holder.name, spec.name)] = product
        gtin_item = (
            GTIN_PRODUCTS.index((holder.name, spec.name)) + 1
            if (holder.name, spec.name) in GTIN_PRODUCTS
            else None
        )
        for position, pack in enumerate(spec.packs):
            _variant, created = ProductVariant.objects.get_or_create(
                product=product,
                name=pack.name,
                defaults={
                    "net_quantity": pack.quantity,
                    "unit": pack.unit,
                    "gtin": _gtin(gtin_item) if gtin_item and position == 0 else "",
                    "position": position,
                },
            )
            summary.variants_created += created
    summary.products = len(products)
    search_rows_changed(Product, created_products)
    summary.variants = ProductVariant.objects.filter(product__in=products.values()).count()

    frameworks = {f.code: f for f in Framework.objects.all()}
    decisions: dict[str, Decision] = {}
    for key, spec in DECISIONS.items():
        decisions[key], _ = Decision.objects.get_or_create(
            number=spec.number,
            date=spec.date,
            defaults={
                "issuer": spec.issuer,
                "province": province if spec.provincial else None,
                "framework": frameworks[spec.framework],
                "is_demo": True,
            },
        )
    summary.decisions = len(decisions)

    evaluations: list[Evaluation] = []
    for score in SCORES:
        product = products[(score.holder, score.product)]
        evaluation, created = _evaluation(
            score=score, product=product, decisions=decisions, frameworks=frameworks
        )
        summary.evaluations_created += created
        evaluations.append(evaluation)
        if not score.certify:
            continue
        certificate = Certificate.objects.filter(evaluation=evaluation).first()
        if certificate is None:
            certificate = certificate_issue(evaluation=evaluation, decision=evaluation.decision)
        if score.revoke and certificate.status == CertificateStatus.ACTIVE:
            certificate_revoke(certificate=certificate, ground=score.revoke, note=REVOCATION_NOTE)
    summary.evaluations = len(evaluations)
    for certificate in Certificate.objects.filter(evaluation__in=evaluations):
        summary.certificates[certificate.status] = (
            summary.certificates.get(certificate.status, 0) + 1
        )
    return summary


def _evaluation(
    *,
    score: ScoreSpec,
    product: Product,
    decisions: dict[str, Decision],
    frameworks: dict[str, Framework],
) -> tuple[Evaluation, bool]:
    if score.decision:
        decision = decisions[score.decision]
        spec = DECISIONS[score.decision]
        framework, level, council = decision.framework, spec.level, spec.council
        # The council sits a few weeks before the decision is signed.
        evaluated_on = decision.date - datetime.timedelta(days=21)
    else:
        decision = None
        framework, level, council = frameworks[score.framework], score.level, score.council
        evaluated_on = score.evaluated_on
    existing = Evaluation.objects.filter(
        product=product, framework=framework, level=level, evaluated_on=evaluated_on, is_demo=True
    ).first()
    if existing is not None:
        return existing, False
    # Score under the framework's own sheet for the product's set number (148 and 26/2026 each
    # have their own 26 sets).
    product_set = None
    if product.product_set_id:
        product_set = ProductSet.objects.filter(
            framework=framework, number=product.product_set.number
        ).first()
    kwargs: dict = {}
    if score.choices:
        kwargs["choices"] = score.choices
    else:
        a, b, c = score.parts
        kwargs["part_scores"] = {"A": Decimal(a), "B": Decimal(b), "C": Decimal(c)}
        kwargs["total_score"] = Decimal(a + b + c)
    evaluation = evaluation_record(
        product=product,
        framework=framework,
        level=level,
        evaluated_on=evaluated_on,
        product_set=product_set,
        council=council,
        decision=decision,
        is_demo=True,
        **kwargs,
    )
    return evaluation, True
