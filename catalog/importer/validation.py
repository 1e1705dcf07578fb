"""Pass 1 of the registry import: each file row validated into a ``ValidRow`` or row errors.

Every lookup (provinces, frameworks, star bands, product sets) is loaded once, and a decision is
looked up once per distinct (number, date), so a 50,000-row file costs a handful of queries.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.importer import messages as m
from catalog.importer.parsing import (
    Header,
    date_parse,
    decision_text_parse,
    is_numbering_row,
    is_total_row,
    level_parse,
    score_parse,
    stars_parse,
    tax_code_parse,
)
from catalog.importer.report import ImportReport, RowError
from catalog.models import Decision, Framework, ProductSet, StarBand, StarGrant
from catalog.rules import frameworks_in_force, grant_levels, score_round, stars_recognised
from catalog.services import evaluation_stars
from core.models import LegacyProvince, Province
from core.selectors import province_key, province_lookup_table
from core.text import fold

COMMUNE_PREFIX = re.compile(r"^(xã|phường|thị trấn|đặc khu)\s", re.IGNORECASE)
# District-level units, abolished on 1 July 2025 ("thành phố" is left out: provinces use it too).
DISTRICT_PREFIX = re.compile(r"^(huyen|quan|thi xa)\s")


def address_names_district(address: str) -> bool:
    return any(DISTRICT_PREFIX.match(fold(part).strip()) for part in (address or "").split(","))


@dataclass(slots=True)
class ValidRow:
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
    level: str


@dataclass
class DecisionPlan:
    number: str
    date: datetime.date
    framework: Framework
    existing: Decision | None
    first_row: int
    provinces: Counter = field(default_factory=Counter)
    # From the file's issuer / source / level columns (the first row that gives each).
    issuer: str = ""
    source_url: str = ""
    level: str = ""


@dataclass
class Options:
    number: str
    date: datetime.date | None
    date_text: str
    date_row: int | None
    issuer: str
    province: Province | None
    framework: Framework | None
    source_url: str
    level: str


class Validator:
    """Pass 1: turns file rows into ``ValidRow``s or errors, with every lookup loaded once."""

    def __init__(self, *, header: Header, options: Options, report: ImportReport):
        self.header = header
        self.options = options
        self.report = report
        self.provinces = province_lookup_table()
        self.province_cache: dict[str, tuple[Province, LegacyProvince | None] | None] = {}
        self.frameworks = list(Framework.objects.select_related("scores_with"))
        self.grants = list(StarGrant.objects.all())
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
        self.decisions: dict[tuple[str, datetime.date], DecisionPlan] = {}
        self.seen: dict[tuple, int] = {}
        self.rows: list[ValidRow] = []
        # One copy of a string many rows repeat (a producer's name, address and tax code — a
        # producer has a few rows —, levels, decision keys): a 200,000-row file holds each once.
        self.shared: dict = {}

    def rows_take(self) -> list[ValidRow]:
        """The valid rows, handed over: the write consumes them (``rows_write``) and nothing
        here keeps them alive meanwhile."""
        rows, self.rows = self.rows, []
        return rows

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

    def framework_named(self, text: str) -> Framework | None:
        """A framework cell: its code ("QD26-2026") or its decision ("26/2026/QĐ-TTg", "148")."""
        folded = fold(text)
        for framework in self.frameworks:
            number = fold(framework.decision_number)
            short = number.split("/qd")[0]
            if folded in (fold(framework.code), number, short) or number in folded:
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
        self, number: str, day: datetime.date, row: int, column: str, named: Framework | None
    ) -> DecisionPlan | None:
        key = (number, day)
        if key in self.decisions:  # None when its framework was already reported missing
            return self.decisions[key]
        # One query per distinct decision (a file names one or a few), never per row.
        existing = (
            Decision.objects.select_related("framework__scores_with", "province")
            .filter(number=number, date=day)
            .first()
        )
        # The decision's own, else the option, else the file's column, else the one in force.
        framework = existing.framework if existing else (self.options.framework or named)
        if framework is None:
            found = frameworks_in_force(self.frameworks, day)
            if len(found) == 1:
                framework = found[0]
            elif found:
                self.error(
                    m.FRAMEWORK_AMBIGUOUS,
                    row=row,
                    column=column,
                    date=f"{day:%d/%m/%Y}",
                    frameworks=" & ".join(f.name for f in found),
                )
            else:
                self.error(m.FRAMEWORK_NOT_IN_FORCE, row=row, column=column, date=f"{day:%d/%m/%Y}")
        if framework is None:
            self.decisions[key] = None  # type: ignore[assignment]  (reported once)
            return None
        plan = DecisionPlan(
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

        named = None
        if get("framework"):
            named = self.framework_named(get("framework"))
            if named is None:
                self.error(
                    m.FRAMEWORK_UNKNOWN_CELL,
                    row=number,
                    column=self.label("framework"),
                    value=get("framework"),
                )
        plan = None
        if decision_number and decision_date:
            plan = self.decision_plan(
                decision_number, decision_date, number, date_column or number_column, named
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
                if COMMUNE_PREFIX.match(part):
                    commune = part
                    street = ", ".join(parts[:index])
                    break
        # The address as given is kept only when it is a pre-2025 one (a district, which the
        # 2025 reform abolished, or a former province): otherwise it is the current address and
        # the producer's page would show the same address twice.
        legacy_address = ""
        if district or (resolved and resolved[1]) or address_names_district(address):
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
        level = opts.level
        if get("level"):
            try:
                level = level_parse(get("level"))
            except ValueError:
                self.error(
                    m.LEVEL_INVALID_CELL, row=number, column=self.label("level"), value=get("level")
                )
        issuer, source_url = get("issuer"), get("source_url")
        for name, value, limit in (("issuer", issuer, 255), ("source_url", source_url, 500)):
            if len(value) > limit:
                self.error(m.TEXT_TOO_LONG, row=number, column=self.label(name), limit=limit)
        band_stars = stars = None
        if score is not None and plan is not None:
            band_stars = evaluation_stars(
                framework=plan.framework,
                total_score=score,
                bands=self.bands.get(plan.framework.scoring.id, []),
            ).band_stars
            # A listed star may sit below the band (a minimum requirement was missed), never
            # above it.
            if listed is not None and listed > band_stars:
                self.error(
                    m.STARS_ABOVE_BAND,
                    row=number,
                    column=stars_column,
                    stars=listed,
                    score=score_round(score),
                    band=band_stars,
                    framework=plan.framework.name,
                )
            stars = listed if listed is not None else band_stars
        elif listed is not None:
            stars = listed
        if stars is not None and not stars_recognised(stars):
            self.error(
                m.NOT_RECOGNISED,
                row=number,
                column=stars_column if listed is not None else score_column,
                stars=stars,
            )
        elif stars is not None and plan is not None and len(self.report.errors) == errors_before:
            levels = grant_levels(self.grants, framework=plan.framework, stars=stars)
            if level not in levels:
                self.error(
                    m.STARS_NOT_GRANTED,
                    row=number,
                    column=stars_column if listed is not None else score_column,
                    stars=stars,
                    framework=plan.framework.name,
                    levels=" / ".join(levels) or "—",
                    level=level,
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
        plan.issuer = plan.issuer or issuer
        plan.source_url = plan.source_url or source_url
        plan.level = plan.level or level
        share = self.shared.setdefault
        self.rows.append(
            ValidRow(
                row=number,
                product=product,
                product_folded=product_folded,
                producer=share(producer, producer),
                producer_folded=share(producer_folded, producer_folded),
                tax_code=share(tax_code, tax_code),
                province_id=province_id,
                legacy_province_id=resolved[1].id if resolved[1] else None,
                commune=share(commune, commune),
                street=share(street, street),
                legacy_address=share(legacy_address, legacy_address),
                product_set_id=self.product_set(
                    plan.framework.scoring, get("product_set"), get("subgroup")
                ),
                product_code=share(product_code, product_code),
                score=score,
                band_stars=band_stars,
                stars=stars,
                decision_key=share(decision_key, decision_key),
                level=share(level, level),
            )
        )
