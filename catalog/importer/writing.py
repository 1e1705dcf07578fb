"""Passes 2 and 3 of the registry import: resolve validated rows against the database, then write.

Businesses, products and decisions are matched with a few ``IN`` queries, certificates and their
supersession are planned in memory, and everything is written with ``bulk_create`` in batches.
The per-row services (``evaluation_record``, ``certificate_issue``) would cost several queries a
row; this reuses their pure pieces (``certificate_number``, ``add_months``) so the outcome is the
rows they would write. Runs inside the caller's transaction; ``Abort`` rolls it back.
"""

import datetime
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from catalog.importer import messages as m
from catalog.importer.report import ImportReport, RowError
from catalog.importer.validation import DecisionPlan, Options, ValidRow
from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    EvaluationLevel,
    Framework,
    Product,
    StarGrant,
)
from catalog.rules import certificate_placement, score_round
from catalog.services import add_months, certificate_number
from core.bulk import rows_insert
from core.models import Province
from core.search import search_rows_changed
from core.text import slugify_vi
from sellers.models import Business, SellerStatus, business_slug_base, legal_type_from_name

BATCH_SIZE = 2000
# The columns each new row is written with (``core.bulk.rows_insert``: tuples, no model
# instances; the other fields get their defaults as a new instance would).
BUSINESS_COLUMNS = [
    "name",
    "name_folded",
    "slug",
    "legal_type",
    "tax_code",
    "province_id",
    "commune",
    "street",
    "legacy_province_id",
    "legacy_address",
    "status",
]
PRODUCT_COLUMNS = ["name", "name_folded", "slug", "holder_id", "product_set_id", "product_code"]
EVALUATION_COLUMNS = [
    "product_id",
    "framework_id",
    "product_set_id",
    "level",
    "evaluated_on",
    "member_totals",
    "total_score",
    "band_stars",
    "stars",
    "caps_applied",
    "decision_id",
    "source_url",
]
CERTIFICATE_COLUMNS = [
    "number",
    "product_id",
    "evaluation_id",
    "decision_id",
    "stars",
    "valid_from",
    "valid_until",
    "status",
    "status_changed_at",
]
IN_CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-variable limit


class Abort(Exception):
    """Raised inside the write transaction to roll everything back with a report error."""


def chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_ids_insert(
    *, model, columns: list[str], items: list, values: Callable[[int, Any], tuple]
) -> list[int]:
    """Insert a row for each of ``items`` (``values(index, item)``: its tuple in the order of
    ``columns``) in batches of ``BATCH_SIZE``; the new ids, in the order of ``items``."""
    ids: list[int] = []
    for start in range(0, len(items), BATCH_SIZE):
        batch = items[start : start + BATCH_SIZE]
        rows = (values(start + offset, item) for offset, item in enumerate(batch))
        ids.extend(
            pk for (pk,) in rows_insert(model=model, columns=columns, rows=rows, returning=["id"])
        )
    return ids


def slugs_allocate(*, model, bases: list[str]) -> list[str]:
    """Unique slugs for new rows: "mat-ong", then "mat-ong-2", "mat-ong-3"… on collision.

    Existing slugs are read in a few queries: which bases are taken, then everything that starts
    with a taken base and a dash.
    """
    distinct = list(dict.fromkeys(bases))
    taken: set[str] = set()
    for chunk in chunks(distinct):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    collided = [b for b in distinct if b in taken]
    for chunk in chunks(collided, 50):
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


def issuer_default(*, framework: Framework, level: str, province: Province | None) -> str:
    """The issuer the framework's grant data names for ``level`` ("UBND {place}" for a province,
    the ministry for the central council), with the province's name in place."""
    template = (
        StarGrant.objects.filter(framework=framework, level=level)
        .values_list("issuer", flat=True)
        .first()
    )
    if not template:
        return ""
    if "{place}" not in template:
        return template
    if province is None:
        return ""
    name = province.name
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            name = prefix.lower() + name[len(prefix) :]
    return template.format(place=name)


@dataclass(slots=True)
class Planned:
    """A certificate to write: its product and decision, its place in the history, and what
    the evaluation takes from its file row (not the row itself: the rows' strings are freed
    once businesses and products are written)."""

    row: int
    product_id: int
    decision: Decision
    framework: Framework
    valid_from: datetime.date
    valid_until: datetime.date
    product_set_id: int | None
    level: str
    score: Decimal
    band_stars: int
    stars: int
    status: str = CertificateStatus.ACTIVE
    superseded_by: tuple[str, int] | None = None  # ("db", certificate id) or ("new", index)
    number: str = ""


# Progress of the write: (rows written, rows to write) as evaluations and certificates are
# written, then (products indexed, products to index) with ``indexing`` set.
WriteProgress = Callable[[int, int, bool], None]
# Products whose search documents are rewritten between two progress reports.
INDEX_SLICE = 5000


def _new_ref(index: int) -> int:
    """A row's business or product that is new: index ``index`` of the new ones, kept as a
    negative number in an ``array`` of ids (a tuple per row cost 80 bytes at 200,000 rows)."""
    return -1 - index


def _refs_resolve(refs: array, new_ids: list[int]) -> array:
    return array("q", (ref if ref >= 0 else new_ids[-1 - ref] for ref in refs))


def rows_write(
    *,
    rows: list[ValidRow],
    plans: dict[tuple[str, datetime.date], DecisionPlan],
    options: Options,
    report: ImportReport,
    now: datetime.datetime,
    progress: WriteProgress | None = None,
) -> list[Decision]:
    """Write the validated ``rows``. The list is consumed: it is emptied once the
    certificates are planned, so the rows' memory is free before the evaluations, the
    certificates and the search index are written."""
    today = timezone.localdate(now)

    # Decisions: few per file; created one by one so each keeps its province for numbering.
    decisions: dict[tuple[str, datetime.date], Decision] = {}
    for key, plan in plans.items():
        if plan.existing is not None:
            decisions[key] = plan.existing
            report.decisions_matched += 1
            continue
        province = options.province
        level = plan.level or options.level
        # A central decision is the ministry's, for the whole country: no province of its own
        # even when all its rows come from one.
        if province is None and len(plan.provinces) == 1 and level != EvaluationLevel.CENTRAL:
            province = Province.objects.get(pk=next(iter(plan.provinces)))
        decisions[key] = Decision.objects.create(
            number=plan.number,
            date=plan.date,
            issuer=options.issuer
            or plan.issuer
            or issuer_default(framework=plan.framework, level=level, province=province),
            province=province,
            framework=plan.framework,
            source_url=options.source_url or plan.source_url,
        )
        report.decisions_created += 1
    report.decisions = [f"{d.number} ({d.date:%d/%m/%Y})" for d in decisions.values()]

    row_business_ids, existing_business_ids = _businesses_write(rows=rows, report=report)
    row_product_ids, matched_products = _products_write(
        rows=rows,
        row_business_ids=row_business_ids,
        existing_business_ids=existing_business_ids,
        report=report,
    )
    del row_business_ids, existing_business_ids

    # Re-importing: a (decision, product) pair that already has a certificate is left alone.
    existing_products = sorted(matched_products)
    decision_ids = [d.pk for d in decisions.values() if d.pk]
    certified: set[tuple[int, int]] = set()
    for chunk in chunks(existing_products):
        certified.update(
            Certificate.objects.filter(
                decision_id__in=decision_ids, product_id__in=chunk
            ).values_list("decision_id", "product_id")
        )
    planned: list[Planned] = []
    for r, product_id in zip(rows, row_product_ids, strict=True):
        decision = decisions[r.decision_key]
        if (decision.pk, product_id) in certified:
            report.unchanged += 1
            continue
        framework = plans[r.decision_key].framework
        planned.append(
            Planned(
                row=r.row,
                product_id=product_id,
                decision=decision,
                framework=framework,
                valid_from=decision.date,
                valid_until=add_months(decision.date, framework.validity_months),
                product_set_id=r.product_set_id,
                level=r.level,
                score=score_round(r.score),
                band_stars=r.band_stars,
                stars=r.stars,
            )
        )
    rows.clear()

    # Supersession, as certificate_issue does it one by one in date order: the newer
    # certificate retires the active one. A decision older than the certificate in force is
    # recorded as history (superseded by it, or expired) rather than knocking it out.
    active: dict[int, tuple[str, int, datetime.date]] = {}
    for chunk in chunks(existing_products):
        for pk, product_id, valid_from in Certificate.objects.filter(
            product_id__in=chunk, status=CertificateStatus.ACTIVE
        ).values_list("pk", "product_id", "valid_from"):
            active[product_id] = ("db", pk, valid_from)
    db_superseded: dict[int, int] = {}  # existing certificate id -> index of its successor
    order = sorted(range(len(planned)), key=lambda i: (planned[i].valid_from, planned[i].row))
    for index in order:
        item = planned[index]
        current = active.get(item.product_id)
        item.status, replaces = certificate_placement(
            valid_from=item.valid_from,
            valid_until=item.valid_until,
            current_from=current[2] if current else None,
            today=today,
        )
        if current is not None and not replaces:
            if item.status == CertificateStatus.SUPERSEDED:
                item.superseded_by = (current[0], current[1])
            continue
        if current is not None:
            if current[0] == "db":
                db_superseded[current[1]] = index
            else:
                previous = planned[current[1]]
                previous.status = CertificateStatus.SUPERSEDED
                previous.superseded_by = ("new", index)
        if item.status == CertificateStatus.EXPIRED:
            active.pop(item.product_id, None)
        else:
            active[item.product_id] = ("new", index, item.valid_from)

    # Certificate numbers are stable per (decision, product); a clash with another product's
    # number must abort cleanly rather than as an IntegrityError halfway through.
    seen_numbers: set[str] = set()
    for item in planned:
        item.number = certificate_number(
            decision=item.decision, product=Product(pk=item.product_id)
        )
        if item.number in seen_numbers:
            abort_number(report, item)
        seen_numbers.add(item.number)
    del seen_numbers
    for chunk in chunks([item.number for item in planned]):
        clash = Certificate.objects.filter(number__in=chunk).values_list("number", flat=True)[:1]
        for number in clash:
            abort_number(report, next(p for p in planned if p.number == number))

    for chunk in chunks(sorted(db_superseded)):
        # Retire first: one active certificate per product is a database constraint.
        Certificate.objects.filter(pk__in=chunk).update(
            status=CertificateStatus.SUPERSEDED, status_changed_at=now
        )

    new_certificate_ids = array("q", [0]) * len(planned)
    for start in range(0, len(planned), BATCH_SIZE):
        batch = planned[start : start + BATCH_SIZE]
        evaluation_ids = rows_insert(
            model=Evaluation,
            columns=EVALUATION_COLUMNS,
            rows=(
                (
                    item.product_id,
                    item.framework.pk,
                    item.product_set_id,
                    item.level,
                    item.decision.date,
                    [],
                    item.score,
                    item.band_stars,
                    item.stars,
                    [],
                    item.decision.pk,
                    options.source_url or item.decision.source_url,
                )
                for item in batch
            ),
            returning=["id"],
        )
        certificate_ids = rows_insert(
            model=Certificate,
            columns=CERTIFICATE_COLUMNS,
            rows=(
                (
                    item.number,
                    item.product_id,
                    evaluation_id,
                    item.decision.pk,
                    item.stars,
                    item.valid_from,
                    item.valid_until,
                    item.status,
                    now,
                )
                for item, (evaluation_id,) in zip(batch, evaluation_ids, strict=True)
            ),
            returning=["id"],
        )
        for offset, (certificate_id,) in enumerate(certificate_ids):
            new_certificate_ids[start + offset] = certificate_id
        if progress is not None:
            progress(start + len(batch), len(planned), False)
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
    planned.clear()
    # Certificates, products and producers as search finds them, in this transaction: the
    # bulk of the write's time, so in slices that each report progress. (A producer whose
    # products fall in two slices is indexed twice; the second write is the same document.)
    product_ids = sorted(set(row_product_ids))
    del row_product_ids
    for start in range(0, len(product_ids), INDEX_SLICE):
        search_rows_changed(Product, product_ids[start : start + INDEX_SLICE])
        if progress is not None:
            progress(min(start + INDEX_SLICE, len(product_ids)), len(product_ids), True)
    return list(decisions.values())


def _businesses_write(*, rows: list[ValidRow], report: ImportReport) -> tuple[array, set[int]]:
    """Match each row's business (by tax code when given, else by folded name within the
    current province) or create it. Returns each row's business id and the ids that existed."""
    by_tax: dict[str, int] = {}
    by_name: dict[tuple[str, int], tuple[int, str]] = {}
    tax_codes = sorted({r.tax_code for r in rows if r.tax_code})
    names = sorted({r.producer_folded for r in rows})
    for chunk in chunks(tax_codes):
        for pk, code in Business.objects.filter(tax_code__in=chunk).values_list("pk", "tax_code"):
            by_tax.setdefault(code, pk)
    for chunk in chunks(names):
        for pk, folded, province_id, code in Business.objects.filter(
            name_folded__in=chunk
        ).values_list("pk", "name_folded", "province_id", "tax_code"):
            by_name.setdefault((folded, province_id), (pk, code))
    existing_business_ids = set(by_tax.values()) | {pk for pk, _ in by_name.values()}

    row_business = array("q")  # a pk, or _new_ref(index into new_business_rows)
    new_business_rows: list[ValidRow] = []
    new_by_tax: dict[str, int] = {}
    new_by_name: dict[tuple[str, int], int] = {}
    for r in rows:
        found: int | None = None
        if r.tax_code:
            found = by_tax.get(r.tax_code)
            if found is None and r.tax_code in new_by_tax:
                found = _new_ref(new_by_tax[r.tax_code])
        if found is None:
            named = by_name.get((r.producer_folded, r.province_id))
            # A same-named business with another tax code is another business.
            if named and (not r.tax_code or not named[1] or named[1] == r.tax_code):
                found = named[0]
            elif (r.producer_folded, r.province_id) in new_by_name:
                index = new_by_name[(r.producer_folded, r.province_id)]
                other_tax = new_business_rows[index].tax_code
                if not r.tax_code or not other_tax or other_tax == r.tax_code:
                    found = _new_ref(index)
        if found is None:
            index = len(new_business_rows)
            new_business_rows.append(r)
            if r.tax_code:
                new_by_tax[r.tax_code] = index
            new_by_name.setdefault((r.producer_folded, r.province_id), index)
            found = _new_ref(index)
        row_business.append(found)
    report.businesses_created = len(new_business_rows)
    report.businesses_matched = len({b for b in row_business if b >= 0})

    slugs = slugs_allocate(
        model=Business,
        bases=[business_slug_base(r.producer) for r in new_business_rows],
    )
    new_business_ids = new_ids_insert(
        model=Business,
        columns=BUSINESS_COLUMNS,
        items=new_business_rows,
        values=lambda index, r: (
            r.producer,
            r.producer_folded,
            slugs[index],
            legal_type_from_name(r.producer_folded),
            r.tax_code,
            r.province_id,
            r.commune,
            r.street,
            r.legacy_province_id,
            r.legacy_address,
            SellerStatus.UNCLAIMED,
        ),
    )
    return _refs_resolve(row_business, new_business_ids), existing_business_ids


def _products_write(
    *,
    rows: list[ValidRow],
    row_business_ids: array,
    existing_business_ids: set[int],
    report: ImportReport,
) -> tuple[array, set[int]]:
    """Match each row's product (by holder and folded name; only businesses that existed can
    hold existing ones) or create it. Returns each row's product id and the matched ids."""
    products: dict[tuple[int, str], int] = {}
    for chunk in chunks(sorted(existing_business_ids)):
        for pk, holder_id, folded in Product.objects.filter(holder_id__in=chunk).values_list(
            "pk", "holder_id", "name_folded"
        ):
            products.setdefault((holder_id, folded), pk)
    matched_products = set()
    new_product_rows: list[tuple[ValidRow, int]] = []
    new_product_keys: dict[tuple[int, str], int] = {}
    row_product = array("q")  # a pk, or _new_ref(index into new_product_rows)
    for r, holder_id in zip(rows, row_business_ids, strict=True):
        key = (holder_id, r.product_folded)
        if key in products:
            matched_products.add(products[key])
            row_product.append(products[key])
        elif key in new_product_keys:
            row_product.append(_new_ref(new_product_keys[key]))
        else:
            new_product_keys[key] = len(new_product_rows)
            row_product.append(_new_ref(len(new_product_rows)))
            new_product_rows.append((r, holder_id))
    del products, new_product_keys
    report.products_created = len(new_product_rows)
    report.products_matched = len(matched_products)
    slugs = slugs_allocate(
        model=Product, bases=[slugify_vi(r.product) or "san-pham" for r, _ in new_product_rows]
    )
    new_product_ids = new_ids_insert(
        model=Product,
        columns=PRODUCT_COLUMNS,
        items=new_product_rows,
        values=lambda index, item: (
            item[0].product,
            item[0].product_folded,
            slugs[index],
            item[1],
            item[0].product_set_id,
            item[0].product_code,
        ),
    )
    return _refs_resolve(row_product, new_product_ids), matched_products


def abort_number(report: ImportReport, item: Planned) -> None:
    vi, en = m.CERTIFICATE_NUMBER_TAKEN.render(row=item.row, value=item.number)
    report.errors.append(RowError(row=item.row, column="", message_vi=vi, message_en=en))
    raise Abort


# ---------------------------------------------------------------------------------------------
# The service.
