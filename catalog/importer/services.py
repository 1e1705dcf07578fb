"""Importing a provincial recognition list: validate every row, then write all or nothing.

Three passes, so that a 50,000-row file needs neither per-row queries nor the file in memory:

1. Stream the rows (``parsing``), validate each against lookups loaded once (provinces, frameworks,
   star bands, product sets) and keep a compact ``_Row`` per good row. Any error stops here:
   nothing is written.
2. Resolve businesses, products and decisions against the database with a handful of ``IN``
   queries, and plan certificates and supersession in memory.
3. Write everything with ``bulk_create`` in batches inside one transaction.

The per-row services (``evaluation_record``, ``certificate_issue``) would cost several queries a
row; this module reuses their pure pieces (``evaluation_stars`` with preloaded bands,
``certificate_number``, ``add_months``) so the outcome is the same rows they would write.
"""

import datetime
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.importer import messages as m
from catalog.importer.parsing import (
    FileUnreadable,
    Header,
    TitleDecision,
    cell_text,
    date_parse,
    decision_text_parse,
    is_numbering_row,
    is_total_row,
    score_parse,
    sheet_open,
    stars_parse,
    tax_code_parse,
)
from catalog.importer.report import ImportReport, RowError
from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    EvaluationLevel,
    Framework,
    Product,
    ProductSet,
    RegistryImport,
    StarBand,
)
from catalog.services import add_months, certificate_number, evaluation_stars
from core.models import LegacyProvince, Province
from core.search import search_rows_changed
from core.selectors import province_key, province_lookup_table
from core.text import fold, nfc, slugify_vi
from sellers.models import Business, LegalType, SellerStatus, business_slug_base

BATCH_SIZE = 2000
IN_CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-variable limit
RECOGNISED_MIN_STARS = 3
TITLE_COLUMN = "Tiêu đề / Title"

_COMMUNE_PREFIX = re.compile(r"^(xã|phường|thị trấn|đặc khu)\s", re.IGNORECASE)

# Legal type from the way producers' names start (folded); the first match wins.
_LEGAL_TYPES: tuple[tuple[str, str], ...] = (
    ("hop tac xa", LegalType.COOPERATIVE),
    ("htx", LegalType.COOPERATIVE),
    ("to hop tac", LegalType.COOPERATIVE_GROUP),
    ("tht", LegalType.COOPERATIVE_GROUP),
    ("doanh nghiep tu nhan", LegalType.PRIVATE_ENTERPRISE),
    ("dntn", LegalType.PRIVATE_ENTERPRISE),
    ("cong ty", LegalType.ENTERPRISE),
    ("cty", LegalType.ENTERPRISE),
    ("ctcp", LegalType.ENTERPRISE),
    ("doanh nghiep", LegalType.ENTERPRISE),
    ("ho kinh doanh", LegalType.HOUSEHOLD),
    ("hkd", LegalType.HOUSEHOLD),
    ("ho san xuat", LegalType.HOUSEHOLD),
    ("co so", LegalType.PRODUCTION_FACILITY),
    ("hiep hoi", LegalType.ASSOCIATION),
)


def _legal_type(folded_name: str) -> str:
    for prefix, legal_type in _LEGAL_TYPES:
        if folded_name == prefix or folded_name.startswith(prefix + " "):
            return legal_type
    return LegalType.OTHER


class _Abort(Exception):
    """Raised inside the write transaction to roll everything back with a report error."""


@dataclass(slots=True)
class _Row:
    """One validated row, as compact as the write pass needs."""

    row: int
    product: str
    product_folded: str
    producer: str
    producer_folded: str
    tax_code: str
    province_id: int
    legacy_province_id: int | None
    commune: str
    street: str
    legacy_address: str
    product_set_id: int | None
    product_code: str
    score: Decimal
    band_stars: int
    stars: int
    decision_key: tuple[str, datetime.date]


@dataclass
class _DecisionPlan:
    number: str
    date: datetime.date
    framework: Framework
    existing: Decision | None
    first_row: int
    provinces: Counter = field(default_factory=Counter)


@dataclass
class _Options:
    number: str
    date: datetime.date | None
    date_text: str
    date_row: int | None
    issuer: str
    province: Province | None
    framework: Framework | None
    source_url: str
    level: str


class _Validator:
    """Pass 1: turns file rows into ``_Row``s or errors, with every lookup loaded once."""

    def __init__(self, *, header: Header, options: _Options, report: ImportReport):
        self.header = header
        self.options = options
        self.report = report
        self.provinces = province_lookup_table()
        self.province_cache: dict[str, tuple[Province, LegacyProvince | None] | None] = {}
        self.frameworks = list(Framework.objects.all())
        self.bands: dict[int, list[StarBand]] = {}
        for band in StarBand.objects.all():
            self.bands.setdefault(band.framework_id, []).append(band)
        self.sets_by_number: dict[tuple[int, int], int] = {}
        self.sets_by_name: dict[tuple[int, str], int] = {}
        for pset in ProductSet.objects.all():
            self.sets_by_number[(pset.framework_id, pset.number)] = pset.id
            for name in (pset.name, pset.name_en):
                if name:
                    self.sets_by_name[(pset.framework_id, fold(name))] = pset.id
        self.decisions: dict[tuple[str, datetime.date], _DecisionPlan] = {}
        self.seen: dict[tuple, int] = {}
        self.rows: list[_Row] = []

    # -- helpers ---------------------------------------------------------------------------

    def error(self, message: m.Message, *, row: int | None, column: str = "", **params) -> None:
        vi, en = message.render(row=row, column=column, **params)
        self.report.errors.append(RowError(row=row, column=column, message_vi=vi, message_en=en))

    def label(self, name: str, fallback: str = "") -> str:
        return self.header.label(name) or fallback

    def province(self, name: str) -> tuple[Province, LegacyProvince | None] | None:
        if name not in self.province_cache:
            self.province_cache[name] = self.provinces.get(province_key(name))
        return self.province_cache[name]

    def framework_for(self, day: datetime.date) -> Framework | None:
        if self.options.framework is not None:
            return self.options.framework
        for framework in self.frameworks:
            until = framework.in_force_until
            if framework.in_force_from <= day and (until is None or day <= until):
                return framework
        return None

    def product_set(self, framework: Framework, *texts: str) -> int | None:
        for text in texts:
            if not text:
                continue
            folded = fold(text)
            # "4", "Bộ 4", "Bộ sản phẩm số 4", "4. Mật ong…"
            if match := re.match(r"^(?:bo\s*(?:san\s*pham)?\s*(?:so)?\s*)?(\d{1,2})\b", folded):
                found = self.sets_by_number.get((framework.id, int(match.group(1))))
                if found:
                    return found
            found = self.sets_by_name.get((framework.id, folded))
            if found:
                return found
        return None

    def decision_plan(
        self, number: str, day: datetime.date, row: int, column: str
    ) -> _DecisionPlan | None:
        key = (number, day)
        if key in self.decisions:  # None when its framework was already reported missing
            return self.decisions[key]
        # One query per distinct decision (a file names one or a few), never per row.
        existing = (
            Decision.objects.select_related("framework", "province")
            .filter(number=number, date=day)
            .first()
        )
        framework = existing.framework if existing else self.framework_for(day)
        if framework is None:
            self.error(m.FRAMEWORK_NOT_IN_FORCE, row=row, column=column, date=f"{day:%d/%m/%Y}")
            self.decisions[key] = None  # type: ignore[assignment]  (reported once)
            return None
        plan = _DecisionPlan(
            number=number, date=day, framework=framework, existing=existing, first_row=row
        )
        self.decisions[key] = plan
        return plan

    # -- one row ----------------------------------------------------------------------------

    def row(self, number: int, cells: list[str]) -> None:
        columns = self.header.columns

        def get(name: str) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        product, producer = get("product"), get("producer")
        score_text, stars_text = get("score"), get("stars")
        if not any(cells) or is_total_row(cells) or is_numbering_row(cells):
            self.report.rows_skipped += 1
            return
        if not (product or producer or score_text or stars_text):
            # Section headings ("I. SẢN PHẨM 4 SAO"), notes and signature blocks under the table.
            self.report.rows_skipped += 1
            return
        errors_before = len(self.report.errors)

        if not product:
            self.error(m.PRODUCT_MISSING, row=number, column=self.label("product"))
        if not producer:
            self.error(m.PRODUCER_MISSING, row=number, column=self.label("producer"))
        for name, value, limit in (("product", product, 255), ("producer", producer, 255)):
            if len(value) > limit:
                self.error(m.TEXT_TOO_LONG, row=number, column=self.label(name), limit=limit)

        tax_code = get("tax_code")
        if tax_code:
            try:
                tax_code = tax_code_parse(tax_code)
            except ValueError:
                self.error(
                    m.TAX_CODE_INVALID, row=number, column=self.label("tax_code"), value=tax_code
                )

        product_code = get("product_code")
        if len(product_code) > 40:
            self.error(m.TEXT_TOO_LONG, row=number, column=self.label("product_code"), limit=40)

        # The decision: the row's own columns, else the title line / options.
        opts = self.options
        decision_number, decision_date = opts.number, opts.date
        number_column = self.label("decision_number") or self.label("decision")
        date_column = self.label("decision_date") or self.label("decision")
        combined = get("decision")
        if combined:
            parsed = decision_text_parse(combined)
            decision_number = parsed.number or decision_number
            if parsed.date_invalid:
                self.error(m.DATE_IMPOSSIBLE, row=number, column=date_column, value=combined)
            decision_date = parsed.date or decision_date
        if get("decision_number"):
            decision_number = get("decision_number")
            if len(decision_number) > 60:
                self.error(m.TEXT_TOO_LONG, row=number, column=number_column, limit=60)
        date_ok = True
        if get("decision_date"):
            try:
                decision_date = date_parse(get("decision_date"))
            except ValueError:
                date_ok = False
                self.error(
                    m.DATE_IMPOSSIBLE, row=number, column=date_column, value=get("decision_date")
                )
        if not decision_number and number_column:
            self.error(m.DECISION_NUMBER_MISSING, row=number, column=number_column)
        if decision_date is None and date_ok and date_column:
            self.error(m.DECISION_DATE_MISSING, row=number, column=date_column)

        plan = None
        if decision_number and decision_date:
            plan = self.decision_plan(
                decision_number, decision_date, number, date_column or number_column
            )

        # Where the producer is: the province column, else the address's last part, else the
        # decision's province. The address is kept as given, district and old province included.
        address, district, commune = get("address"), get("district"), get("commune")
        province_text = get("province")
        resolved = None
        if province_text:
            resolved = self.province(province_text)
            if resolved is None:
                self.error(
                    m.PROVINCE_UNKNOWN,
                    row=number,
                    column=self.label("province"),
                    value=province_text,
                )
        else:
            if address and "," in address:
                resolved = self.province(address.rsplit(",", 1)[1])
            if resolved is None and opts.province is not None:
                resolved = (opts.province, None)
            if resolved is None:
                self.error(
                    m.PROVINCE_MISSING,
                    row=number,
                    column=self.label("province") or self.label("address") or "Tỉnh / Province",
                )
        street = address
        if address and not commune:
            parts = [p.strip() for p in address.split(",")]
            for index, part in enumerate(parts):
                if _COMMUNE_PREFIX.match(part):
                    commune = part
                    street = ", ".join(parts[:index])
                    break
        legacy_parts = [address]
        for extra in (district, province_text):
            if extra and fold(extra) not in fold(address):
                legacy_parts.append(extra)
        legacy_address = ", ".join(p for p in legacy_parts if p)
        for name, value, limit in (
            ("address", street, 255),
            ("commune", commune, 255),
            ("address", legacy_address, 500),
        ):
            if len(value) > limit:
                self.error(m.TEXT_TOO_LONG, row=number, column=self.label(name), limit=limit)

        # The score and the stars it allows under the decision's framework.
        score = None
        score_column = self.label("score")
        if not score_text:
            self.error(m.SCORE_MISSING, row=number, column=score_column)
        else:
            try:
                score = score_parse(score_text)
            except ValueError:
                self.error(m.SCORE_NOT_NUMBER, row=number, column=score_column, value=score_text)
            else:
                if not Decimal(0) <= score <= Decimal(100):
                    self.error(
                        m.SCORE_OUT_OF_RANGE, row=number, column=score_column, value=score_text
                    )
                    score = None
        listed = None
        stars_column = self.label("stars")
        if stars_text:
            try:
                listed = stars_parse(stars_text)
            except ValueError:
                self.error(m.STARS_INVALID, row=number, column=stars_column, value=stars_text)
        band_stars = stars = None
        if score is not None and plan is not None:
            band_stars = evaluation_stars(
                framework=plan.framework,
                total_score=score,
                bands=self.bands.get(plan.framework.id, []),
            ).band_stars
            # A listed star may sit below the band (a minimum requirement was missed), never
            # above it.
            if listed is not None and listed > band_stars:
                self.error(
                    m.STARS_ABOVE_BAND,
                    row=number,
                    column=stars_column,
                    stars=listed,
                    score=score,
                    band=band_stars,
                    framework=plan.framework.name,
                )
            stars = listed if listed is not None else band_stars
        elif listed is not None:
            stars = listed
        if stars is not None and stars < RECOGNISED_MIN_STARS:
            self.error(
                m.NOT_RECOGNISED,
                row=number,
                column=stars_column if listed is not None else score_column,
                stars=stars,
            )

        product_folded, producer_folded = fold(product), fold(producer)
        province_id = resolved[0].id if resolved else None
        decision_key = (decision_number, decision_date)
        if product and producer:
            # Same product + producer twice under one decision (by tax code or by name).
            keys = [(decision_key, product_folded, "name", producer_folded, province_id)]
            if tax_code:
                keys.append((decision_key, product_folded, "tax", tax_code))
            first = next((self.seen[k] for k in keys if k in self.seen), None)
            if first is not None:
                self.error(m.DUPLICATE_ROW, row=number, column=self.label("product"), first=first)
            for k in keys:
                self.seen.setdefault(k, number)

        if len(self.report.errors) > errors_before or plan is None or resolved is None:
            return
        plan.provinces[province_id] += 1
        self.rows.append(
            _Row(
                row=number,
                product=product,
                product_folded=product_folded,
                producer=producer,
                producer_folded=producer_folded,
                tax_code=tax_code,
                province_id=province_id,
                legacy_province_id=resolved[1].id if resolved[1] else None,
                commune=commune,
                street=street,
                legacy_address=legacy_address,
                product_set_id=self.product_set(
                    plan.framework, get("product_set"), get("subgroup")
                ),
                product_code=product_code,
                score=score,
                band_stars=band_stars,
                stars=stars,
                decision_key=decision_key,
            )
        )


# ---------------------------------------------------------------------------------------------
# Pass 2 and 3 helpers.


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _slugs_allocate(*, model, bases: list[str]) -> list[str]:
    """Unique slugs for new rows: "mat-ong", then "mat-ong-2", "mat-ong-3"… on collision.

    Existing slugs are read in a few queries: which bases are taken, then everything that starts
    with a taken base and a dash.
    """
    distinct = list(dict.fromkeys(bases))
    taken: set[str] = set()
    for chunk in _chunks(distinct):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    collided = [b for b in distinct if b in taken]
    for chunk in _chunks(collided, 50):
        query = Q()
        for base in chunk:
            query |= Q(slug__startswith=f"{base}-")
        taken.update(model.objects.filter(query).values_list("slug", flat=True))
    next_suffix: dict[str, int] = {}
    result = []
    for base in bases:
        slug = base
        if slug in taken:
            suffix = next_suffix.get(base, 2)
            while f"{base}-{suffix}" in taken:
                suffix += 1
            next_suffix[base] = suffix + 1
            slug = f"{base}-{suffix}"
        taken.add(slug)
        result.append(slug)
    return result


def _issuer_default(province: Province | None) -> str:
    if province is None:
        return ""
    name = province.name
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            name = prefix.lower() + name[len(prefix) :]
    return f"UBND {name}"


@dataclass(slots=True)
class _Planned:
    """A certificate to write: its row, product and decision, and its place in the history."""

    row: _Row
    product_id: int
    decision: Decision
    framework: Framework
    valid_from: datetime.date
    valid_until: datetime.date
    status: str = CertificateStatus.ACTIVE
    superseded_by: tuple[str, int] | None = None  # ("db", certificate id) or ("new", index)
    number: str = ""


def _write(
    *,
    rows: list[_Row],
    plans: dict,
    options: _Options,
    report: ImportReport,
    now: datetime.datetime,
) -> list[Decision]:
    today = timezone.localdate(now)

    # Decisions: few per file; created one by one so each keeps its province for numbering.
    decisions: dict[tuple[str, datetime.date], Decision] = {}
    for key, plan in plans.items():
        if plan.existing is not None:
            decisions[key] = plan.existing
            report.decisions_matched += 1
            continue
        province = options.province
        if province is None and len(plan.provinces) == 1:
            province = Province.objects.get(pk=next(iter(plan.provinces)))
        decisions[key] = Decision.objects.create(
            number=plan.number,
            date=plan.date,
            issuer=options.issuer or _issuer_default(province),
            province=province,
            framework=plan.framework,
            source_url=options.source_url,
        )
        report.decisions_created += 1
    report.decisions = [f"{d.number} ({d.date:%d/%m/%Y})" for d in decisions.values()]

    # Businesses: by tax code when given, else by folded name within the current province.
    by_tax: dict[str, int] = {}
    by_name: dict[tuple[str, int], tuple[int, str]] = {}
    tax_codes = sorted({r.tax_code for r in rows if r.tax_code})
    names = sorted({r.producer_folded for r in rows})
    for chunk in _chunks(tax_codes):
        for pk, code in Business.objects.filter(tax_code__in=chunk).values_list("pk", "tax_code"):
            by_tax.setdefault(code, pk)
    for chunk in _chunks(names):
        for pk, folded, province_id, code in Business.objects.filter(
            name_folded__in=chunk
        ).values_list("pk", "name_folded", "province_id", "tax_code"):
            by_name.setdefault((folded, province_id), (pk, code))
    existing_business_ids = set(by_tax.values()) | {pk for pk, _ in by_name.values()}

    row_business: list[int | tuple[str, int]] = []  # a pk, or ("new", index into new_rows)
    new_business_rows: list[_Row] = []
    new_by_tax: dict[str, int] = {}
    new_by_name: dict[tuple[str, int], int] = {}
    for r in rows:
        found: int | tuple[str, int] | None = None
        if r.tax_code:
            found = by_tax.get(r.tax_code)
            if found is None and r.tax_code in new_by_tax:
                found = ("new", new_by_tax[r.tax_code])
        if found is None:
            named = by_name.get((r.producer_folded, r.province_id))
            # A same-named business with another tax code is another business.
            if named and (not r.tax_code or not named[1] or named[1] == r.tax_code):
                found = named[0]
            elif (r.producer_folded, r.province_id) in new_by_name:
                index = new_by_name[(r.producer_folded, r.province_id)]
                other_tax = new_business_rows[index].tax_code
                if not r.tax_code or not other_tax or other_tax == r.tax_code:
                    found = ("new", index)
        if found is None:
            index = len(new_business_rows)
            new_business_rows.append(r)
            if r.tax_code:
                new_by_tax[r.tax_code] = index
            new_by_name.setdefault((r.producer_folded, r.province_id), index)
            found = ("new", index)
        row_business.append(found)
    report.businesses_created = len(new_business_rows)
    report.businesses_matched = len({b for b in row_business if isinstance(b, int)})

    slugs = _slugs_allocate(
        model=Business,
        bases=[business_slug_base(r.producer) for r in new_business_rows],
    )
    new_business_ids: list[int] = []
    for start in range(0, len(new_business_rows), BATCH_SIZE):
        batch = [
            Business(
                name=r.producer,
                name_folded=r.producer_folded,
                slug=slugs[start + offset],
                legal_type=_legal_type(r.producer_folded),
                tax_code=r.tax_code,
                province_id=r.province_id,
                commune=r.commune,
                street=r.street,
                legacy_province_id=r.legacy_province_id,
                legacy_address=r.legacy_address,
                status=SellerStatus.UNCLAIMED,
            )
            for offset, r in enumerate(new_business_rows[start : start + BATCH_SIZE])
        ]
        Business.objects.bulk_create(batch)
        new_business_ids.extend(b.pk for b in batch)
    row_business_ids = [b if isinstance(b, int) else new_business_ids[b[1]] for b in row_business]

    # Products: by holder and folded name. Only businesses that existed can hold existing ones.
    products: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted(existing_business_ids)):
        for pk, holder_id, folded in Product.objects.filter(holder_id__in=chunk).values_list(
            "pk", "holder_id", "name_folded"
        ):
            products.setdefault((holder_id, folded), pk)
    matched_products = set()
    new_product_rows: list[tuple[_Row, int]] = []
    new_product_keys: dict[tuple[int, str], int] = {}
    row_product: list[int | tuple[str, int]] = []
    for r, holder_id in zip(rows, row_business_ids, strict=True):
        key = (holder_id, r.product_folded)
        if key in products:
            matched_products.add(products[key])
            row_product.append(products[key])
        elif key in new_product_keys:
            row_product.append(("new", new_product_keys[key]))
        else:
            new_product_keys[key] = len(new_product_rows)
            row_product.append(("new", len(new_product_rows)))
            new_product_rows.append((r, holder_id))
    report.products_created = len(new_product_rows)
    report.products_matched = len(matched_products)
    slugs = _slugs_allocate(
        model=Product, bases=[slugify_vi(r.product) or "san-pham" for r, _ in new_product_rows]
    )
    new_product_ids: list[int] = []
    for start in range(0, len(new_product_rows), BATCH_SIZE):
        batch = [
            Product(
                name=r.product,
                name_folded=r.product_folded,
                slug=slugs[start + offset],
                holder_id=holder_id,
                product_set_id=r.product_set_id,
                product_code=r.product_code,
            )
            for offset, (r, holder_id) in enumerate(new_product_rows[start : start + BATCH_SIZE])
        ]
        Product.objects.bulk_create(batch)
        new_product_ids.extend(p.pk for p in batch)
    row_product_ids = [p if isinstance(p, int) else new_product_ids[p[1]] for p in row_product]

    # Re-importing: a (decision, product) pair that already has a certificate is left alone.
    existing_products = sorted(matched_products)
    decision_ids = [d.pk for d in decisions.values() if d.pk]
    certified: set[tuple[int, int]] = set()
    for chunk in _chunks(existing_products):
        certified.update(
            Certificate.objects.filter(
                decision_id__in=decision_ids, product_id__in=chunk
            ).values_list("decision_id", "product_id")
        )
    planned: list[_Planned] = []
    for r, product_id in zip(rows, row_product_ids, strict=True):
        decision = decisions[r.decision_key]
        if (decision.pk, product_id) in certified:
            report.unchanged += 1
            continue
        framework = plans[r.decision_key].framework
        planned.append(
            _Planned(
                row=r,
                product_id=product_id,
                decision=decision,
                framework=framework,
                valid_from=decision.date,
                valid_until=add_months(decision.date, framework.validity_months),
            )
        )

    # Supersession, as certificate_issue does it one by one in date order: the newer
    # certificate retires the active one. A decision older than the certificate in force is
    # recorded as history (superseded by it, or expired) rather than knocking it out.
    active: dict[int, tuple[str, int, datetime.date]] = {}
    for chunk in _chunks(existing_products):
        for pk, product_id, valid_from in Certificate.objects.filter(
            product_id__in=chunk, status=CertificateStatus.ACTIVE
        ).values_list("pk", "product_id", "valid_from"):
            active[product_id] = ("db", pk, valid_from)
    db_superseded: dict[int, int] = {}  # existing certificate id -> index of its successor
    order = sorted(range(len(planned)), key=lambda i: (planned[i].valid_from, planned[i].row.row))
    for index in order:
        item = planned[index]
        current = active.get(item.product_id)
        expired = item.valid_until < today
        if current is not None and current[2] > item.valid_from:
            item.status = CertificateStatus.EXPIRED if expired else CertificateStatus.SUPERSEDED
            item.superseded_by = None if expired else (current[0], current[1])
            continue
        if current is not None:
            if current[0] == "db":
                db_superseded[current[1]] = index
            else:
                previous = planned[current[1]]
                previous.status = CertificateStatus.SUPERSEDED
                previous.superseded_by = ("new", index)
        if expired:
            # A historical decision imported after its validity ran out is recorded as expired.
            item.status = CertificateStatus.EXPIRED
            active.pop(item.product_id, None)
        else:
            active[item.product_id] = ("new", index, item.valid_from)

    # Certificate numbers are stable per (decision, product); a clash with another product's
    # number must abort cleanly rather than as an IntegrityError halfway through.
    seen_numbers: dict[str, int] = {}
    for item in planned:
        item.number = certificate_number(
            decision=item.decision, product=Product(pk=item.product_id)
        )
        if item.number in seen_numbers:
            _abort_number(report, item)
        seen_numbers[item.number] = item.row.row
    for chunk in _chunks(list(seen_numbers)):
        clash = Certificate.objects.filter(number__in=chunk).values_list("number", flat=True)[:1]
        for number in clash:
            _abort_number(report, next(p for p in planned if p.number == number))

    for chunk in _chunks(sorted(db_superseded)):
        # Retire first: one active certificate per product is a database constraint.
        Certificate.objects.filter(pk__in=chunk).update(
            status=CertificateStatus.SUPERSEDED, status_changed_at=now
        )

    new_certificate_ids: list[int] = [0] * len(planned)
    for start in range(0, len(planned), BATCH_SIZE):
        batch = planned[start : start + BATCH_SIZE]
        evaluations = [
            Evaluation(
                product_id=item.product_id,
                framework=item.framework,
                product_set_id=item.row.product_set_id,
                level=options.level,
                evaluated_on=item.decision.date,
                member_totals=[],
                total_score=item.row.score,
                band_stars=item.row.band_stars,
                stars=item.row.stars,
                caps_applied=[],
                decision=item.decision,
                source_url=options.source_url or item.decision.source_url,
            )
            for item in batch
        ]
        Evaluation.objects.bulk_create(evaluations)
        certificates = [
            Certificate(
                number=item.number,
                product_id=item.product_id,
                evaluation_id=evaluation.pk,
                decision=item.decision,
                stars=item.row.stars,
                valid_from=item.valid_from,
                valid_until=item.valid_until,
                status=item.status,
                status_changed_at=now,
            )
            for item, evaluation in zip(batch, evaluations, strict=True)
        ]
        Certificate.objects.bulk_create(certificates)
        for offset, certificate in enumerate(certificates):
            new_certificate_ids[start + offset] = certificate.pk
    report.evaluations_created = report.certificates_created = len(planned)

    def ref_id(ref: tuple[str, int]) -> int:
        return ref[1] if ref[0] == "db" else new_certificate_ids[ref[1]]

    links = [
        Certificate(pk=new_certificate_ids[i], superseded_by_id=ref_id(item.superseded_by))
        for i, item in enumerate(planned)
        if item.superseded_by is not None
    ]
    links += [
        Certificate(pk=pk, superseded_by_id=new_certificate_ids[index])
        for pk, index in db_superseded.items()
    ]
    Certificate.objects.bulk_update(links, ["superseded_by"], batch_size=500)
    report.superseded = len(db_superseded) + sum(
        1 for item in planned if item.status == CertificateStatus.SUPERSEDED
    )
    # Certificates, products and producers as search finds them, in this transaction.
    search_rows_changed(Product, row_product_ids)
    return list(decisions.values())


def _abort_number(report: ImportReport, item: _Planned) -> None:
    vi, en = m.CERTIFICATE_NUMBER_TAKEN.render(row=item.row.row, value=item.number)
    report.errors.append(RowError(row=item.row.row, column="", message_vi=vi, message_en=en))
    raise _Abort


# ---------------------------------------------------------------------------------------------
# The service.


def _file_error(report: ImportReport, message: m.Message, **params) -> ImportReport:
    vi, en = message.render(**params)
    report.errors.append(
        RowError(
            row=params.get("row"), column=params.get("column", ""), message_vi=vi, message_en=en
        )
    )
    return report


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def registry_import(
    *,
    source: str | os.PathLike | BinaryIO,
    file_name: str = "",
    dry_run: bool = False,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    province: str = "",
    framework_code: str = "",
    issuer: str = "",
    source_url: str = "",
    level: str = EvaluationLevel.PROVINCE,
    user=None,
    now: datetime.datetime | None = None,
) -> ImportReport:
    """Import one recognition list (CSV or XLSX): all rows or none.

    Decision details come from the options, else from a title line above the header ("Kèm theo
    Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng"); rows with their own
    decision columns may name several decisions. Returns the report; ``report.ok`` is False and
    nothing is written when any row is refused. ``dry_run`` validates and counts, then rolls
    back.
    """
    now = now or timezone.now()
    if isinstance(source, str | os.PathLike):
        file_name = file_name or Path(source).name
        with open(source, "rb") as stream:
            return registry_import(
                source=stream,
                file_name=file_name,
                dry_run=dry_run,
                decision_number=decision_number,
                decision_date=decision_date,
                province=province,
                framework_code=framework_code,
                issuer=issuer,
                source_url=source_url,
                level=level,
                user=user,
                now=now,
            )
    report = ImportReport(file_name=file_name, dry_run=dry_run, sha256=_sha256(source))

    # Options first: a bad option is the whole file's problem, not every row's.
    if level not in EvaluationLevel.values:
        return _file_error(report, m.LEVEL_INVALID, value=level)
    framework = None
    if framework_code:
        framework = Framework.objects.filter(code=framework_code.strip()).first()
        if framework is None:
            return _file_error(report, m.FRAMEWORK_UNKNOWN, value=framework_code)
    table = None
    option_province = None
    if province:
        table = province_lookup_table()
        found = table.get(province_key(province))
        if found is None:
            return _file_error(report, m.OPTION_PROVINCE_UNKNOWN, value=nfc(province))
        option_province = found[0]

    try:
        sheet = sheet_open(source, file_name=file_name)
    except FileUnreadable as exc:
        return _unreadable(report, exc)
    try:
        options = _options_merge(
            report=report,
            title=_title_merge(sheet.titles),
            number=nfc(decision_number),
            date=decision_date,
            issuer=nfc(issuer),
            province=option_province,
            framework=framework,
            source_url=source_url.strip(),
            level=level,
            table=table,
        )
        header = sheet.header
        for name, english in (("producer", "Chủ thể / Producer"), ("score", "Điểm / Score")):
            if name not in header.columns:
                _file_error(report, m.COLUMN_MISSING, row=header.row, column=english)
        if report.errors:
            return report
        for name, flag in (("number", "decision_number"), ("date", "decision_date")):
            present = flag in header.columns or "decision" in header.columns
            if not present and not getattr(options, name):
                message = m.DECISION_NUMBER_MISSING if name == "number" else m.DECISION_DATE_MISSING
                label = (
                    "Số quyết định / Decision no."
                    if name == "number"
                    else ("Ngày quyết định / Decision date")
                )
                _file_error(report, message, row=header.row, column=label)
        if report.errors:
            return report

        validator = _Validator(header=header, options=options, report=report)
        for number, values in sheet.rows:
            report.rows_read += 1
            validator.row(number, [cell_text(v) for v in values])
    except FileUnreadable as exc:
        return _unreadable(report, exc)
    finally:
        sheet.close()
    if report.errors:
        return report

    plans = {key: plan for key, plan in validator.decisions.items() if plan is not None}
    try:
        with transaction.atomic():
            decisions = _write(
                rows=validator.rows, plans=plans, options=options, report=report, now=now
            )
            wrote = any(
                getattr(report, name)
                for name in ("decisions_created", "certificates_created", "superseded")
            )
            if dry_run:
                transaction.set_rollback(True)
            elif wrote:
                # A re-import that changed nothing leaves no trace either (its report says so).
                record = RegistryImport.objects.create(
                    file_name=file_name[:255],
                    sha256=report.sha256,
                    rows_read=report.rows_read,
                    certificates_created=report.certificates_created,
                    unchanged=report.unchanged,
                    report=report.to_dict(),
                    created_by=user if user is not None and user.is_authenticated else None,
                )
                record.decisions.set(decisions)
                report.applied = True
    except _Abort:
        _counts_reset(report)
    return report


def _counts_reset(report: ImportReport) -> None:
    """After a rollback the counts describe nothing that happened."""
    for name in (
        "decisions_created",
        "decisions_matched",
        "businesses_created",
        "businesses_matched",
        "products_created",
        "products_matched",
        "evaluations_created",
        "certificates_created",
        "unchanged",
        "superseded",
    ):
        setattr(report, name, 0)


def _unreadable(report: ImportReport, exc: FileUnreadable) -> ImportReport:
    if exc.kind == "not_utf8":
        return _file_error(report, m.FILE_NOT_UTF8, row=exc.row)
    if exc.kind == "too_large":
        from catalog.importer.parsing import XLSX_MAX_UNPACKED_MB

        return _file_error(report, m.FILE_TOO_LARGE, limit=XLSX_MAX_UNPACKED_MB)
    if exc.kind == "no_header":
        from catalog.importer.parsing import HEADER_SCAN_ROWS

        return _file_error(report, m.HEADER_NOT_FOUND, rows=HEADER_SCAN_ROWS)
    return _file_error(report, m.FILE_UNREADABLE, detail=exc.detail or exc.kind)


def _title_merge(titles: list[TitleDecision]) -> TitleDecision:
    """Several title lines may each say part of it (number on one, issuer on the next)."""
    merged = TitleDecision()
    for title in titles:
        merged.number = merged.number or title.number
        if merged.date is None and not merged.date_invalid:
            merged.date, merged.date_text = title.date, title.date_text
            merged.date_invalid, merged.row = title.date_invalid, title.row
        merged.issuer = merged.issuer or title.issuer
        merged.province_name = merged.province_name or title.province_name
    return merged


def _options_merge(
    *,
    report: ImportReport,
    title: TitleDecision,
    number: str,
    date: datetime.date | None,
    issuer: str,
    province: Province | None,
    framework: Framework | None,
    source_url: str,
    level: str,
    table,
) -> _Options:
    """Options override what the title lines say, field by field."""
    if date is None and title.date_invalid:
        vi, en = m.DATE_IMPOSSIBLE.render(row=title.row, column=TITLE_COLUMN, value=title.date_text)
        report.errors.append(
            RowError(row=title.row, column=TITLE_COLUMN, message_vi=vi, message_en=en)
        )
    if province is None and title.province_name:
        table = table if table is not None else province_lookup_table()
        found = table.get(province_key(title.province_name))
        province = found[0] if found else None
    return _Options(
        number=number or title.number,
        date=date or title.date,
        date_text=title.date_text,
        date_row=title.row,
        issuer=(issuer or title.issuer)[:255],
        province=province,
        framework=framework,
        source_url=source_url,
        level=level,
    )
