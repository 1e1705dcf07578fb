"""Matching and ranking as SQL: the certificate-in-force, status and price-band expressions,
full-text match expressions (PostgreSQL FTS, SQLite FTS5) and the relevance score."""

from __future__ import annotations

import datetime
import html
import itertools
import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import Expression

from core.search import (
    STATUS_ANY,
    STATUS_EXPIRED,
    STATUS_IN_FORCE,
    STATUS_REVOKED,
)
from search.documents import PRICE_BANDS
from search.query import Group, ParsedQuery
from search.text import tokens

# Field weights; an alternative's weight (100 as typed … 60 corrected) multiplies them.
FIELD_WEIGHTS = (
    ("title_text", 10),
    ("holder_text", 6),
    ("place_text", 5),
    ("category_text", 3),
    ("body_text", 2),
)
PHRASE_BONUS = (("title_text", 800), ("holder_text", 300), ("place_text", 300))
PAIR_BONUS = 200
TITLE_START_BONUS = 100
FACETS = ("stars", "province", "category", "set", "price", "seller_type", "in_stock")
SUGGEST_MIN_CHARS = 2
# Read for matching only; a page of hits does not load them.
TEXT_FIELDS = ("title_text", "holder_text", "place_text", "category_text", "body_text", "text")
TRIGRAM_MIN_SIMILARITY = 0.3


def in_force_q(today: datetime.date) -> Q:
    """The document's certificate is in force on ``today``. The document keeps the certificate
    that ``catalog.selectors.certificates_in_force`` gave when it was written; its date half is
    checked here, at read time, so a lapse at midnight needs no write."""
    return Q(certificate_valid_until__gte=today)


def buyable_case(today: datetime.date) -> Case:
    return Case(
        When(in_force_q(today) & Q(in_stock=True), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def stars_now_case(today: datetime.date) -> Case:
    return Case(
        When(in_force_q(today), then=F("stars")), default=Value(0), output_field=IntegerField()
    )


def status_q(status: str, today: datetime.date) -> Q:
    if status == STATUS_IN_FORCE:
        return in_force_q(today)
    if status == STATUS_EXPIRED:
        return Q(latest_status="expired") | Q(latest_status="active", latest_valid_until__lt=today)
    if status == STATUS_REVOKED:
        return Q(latest_status=STATUS_REVOKED)
    if status == STATUS_ANY:
        return Q()
    raise ValueError(f"Unknown certificate status filter {status!r}.")


def price_band_q(key: str, today: datetime.date) -> Q:
    low, high = PRICE_BANDS[key]
    q = in_force_q(today) & Q(min_price__isnull=False)
    if low is not None:
        q &= Q(min_price__gte=low)
    if high is not None:
        q &= Q(min_price__lte=high)
    return q


def price_band_case(today: datetime.date) -> Case:
    return Case(
        *[When(price_band_q(key, today), then=Value(key)) for key in PRICE_BANDS],
        default=Value(""),
    )


# --- matching -------------------------------------------------------------------------------


def needle(terms) -> str:
    return f" {' '.join(terms)} "


def fts_expression(groups: list[Group], *, any_group: bool = False, prefix: str = "") -> str:
    """The full-text query for the engine in use: every group (or any, with ``any_group``),
    each as the OR of its alternatives; ``prefix`` adds a word that only has to start so."""
    postgres = connection.vendor == "postgresql"
    parts = []
    for group in groups:
        options = []
        for alternative in group.alternatives:
            if postgres:
                options.append(" <-> ".join(alternative.terms))
            else:
                options.append('"' + " ".join(alternative.terms) + '"')
        if options:
            parts.append("(" + (" | " if postgres else " OR ").join(options) + ")")
    if prefix:
        parts.append(f"{prefix}:*" if postgres else f'"{prefix}"*')
    joiner = (" | " if any_group else " & ") if postgres else (" OR " if any_group else " AND ")
    return joiner.join(parts)


class DocumentSQL(Expression):
    """SQL over the document's own columns, written as a template: ``{title_text} LIKE %s``.

    The columns are compiled as the query names them, so the expression stays right inside a
    subquery, where Django aliases the table (``U0``); ``{vector}`` is PostgreSQL's generated
    column, which the model does not know, named after the primary key's (``{pk}``) alias."""

    _FIELD = re.compile(r"\{(\w+)\}")

    def __init__(self, template: str, params: list, *, output_field):
        super().__init__(output_field=output_field)
        self.template, self.params = template, list(params)
        fields = set(self._FIELD.findall(template))
        if "vector" in fields:
            fields = (fields - {"vector"}) | {"pk"}
        self.fields = sorted(fields)
        self.columns: dict = {}

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        if self.columns:
            # Already bound to the document table: a subquery being placed in an outer query.
            return self
        resolved = self.copy()
        resolved.columns = {
            name: F(name).resolve_expression(query, allow_joins, reuse, summarize)
            for name in self.fields
        }
        return resolved

    def get_source_expressions(self):
        # The columns, so that Django relabels them when the query becomes a subquery.
        return [self.columns[name] for name in self.fields] if self.columns else []

    def set_source_expressions(self, exprs):
        if exprs:
            self.columns = dict(zip(self.fields, exprs, strict=True))

    def as_sql(self, compiler, connection):
        names = {name: compiler.compile(column)[0] for name, column in self.columns.items()}
        if "pk" in names:
            names["vector"] = names["pk"].rsplit(".", 1)[0] + '."vector"'
        return self.template.format(**names), self.params

    def get_group_by_cols(self):
        return []


def fts_filter(expression: str) -> DocumentSQL:
    if connection.vendor == "postgresql":
        template = "{vector} @@ to_tsquery('ocop_folded', %s)"
    else:
        template = "{pk} IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
    return DocumentSQL(template, [expression], output_field=BooleanField())


def contains_sql(field: str) -> str:
    # The needles are folded words between spaces: nothing LIKE would read as a wildcard.
    return f"{{{field}}} LIKE %s"


STRONG_FIELDS = ("title_text", "holder_text", "place_text")


def strong_match(group: Group) -> DocumentSQL:
    """One of ``group``'s alternatives is in the document's name, holder or place."""
    needles = [f"%{needle(a.terms)}%" for a in group.alternatives for _ in STRONG_FIELDS]
    template = " OR ".join(
        contains_sql(field) for _ in group.alternatives for field in STRONG_FIELDS
    )
    return DocumentSQL(f"({template})", needles, output_field=BooleanField())


def _group_score(group: Group) -> tuple[str, list]:
    """The best (alternative × field) weight the document reaches for ``group``: a CASE whose
    branches are tried from the heaviest down."""
    options = sorted(
        (
            (alternative.weight * field_weight, field, needle(alternative.terms))
            for alternative in group.alternatives
            for field, field_weight in FIELD_WEIGHTS
        ),
        key=lambda option: -option[0],
    )
    sql = " ".join(f"WHEN {contains_sql(field)} THEN {weight}" for weight, field, _ in options)
    return f"CASE {sql} ELSE 0 END", [f"%{needle}%" for _, _, needle in options]


def relevance(parsed: ParsedQuery) -> DocumentSQL:
    """The relevance of a document to ``parsed`` as one SQL expression (written as SQL rather
    than ORM expressions: building a hundred ``When`` objects cost more than running them)."""
    groups = parsed.matchable
    parts, params = ["0"], []
    for group in groups:
        sql, group_params = _group_score(group)
        parts.append(sql)
        params += group_params
    best = [group.best.terms for group in groups]
    if len(best) >= 2:
        phrase = needle(term for terms in best for term in terms)
        branches = " ".join(
            f"WHEN {contains_sql(field)} THEN {bonus}" for field, bonus in PHRASE_BONUS
        )
        parts.append(f"CASE {branches} ELSE 0 END")
        params += [f"%{phrase}%"] * len(PHRASE_BONUS)
    if len(best) >= 3:
        for left, right in itertools.pairwise(best):
            parts.append(f"CASE WHEN {contains_sql('title_text')} THEN {PAIR_BONUS} ELSE 0 END")
            params.append(f"%{needle((*left, *right))}%")
    if best:
        parts.append(f"CASE WHEN {contains_sql('title_text')} THEN {TITLE_START_BONUS} ELSE 0 END")
        params.append(f"{needle(best[0])}%")
    return DocumentSQL("(" + " + ".join(parts) + ")", params, output_field=IntegerField())


def highlight(title: str, terms: set[str]) -> str:
    """``title`` as HTML with the words found in ``terms`` marked."""
    out = []
    for word in title.split(" "):
        folded = tokens(word)
        escaped = html.escape(word)
        out.append(f"<mark>{escaped}</mark>" if folded and set(folded) & terms else escaped)
    return " ".join(out)
