"""The database backend (the default): documents in ``search.SearchDocument``, searched with
PostgreSQL full-text search or SQLite FTS5, ranked the same way on both.

A query costs a fixed number of SQL statements whatever the page size: the vocabulary lookup
(spelling, ``search.query``), one grouped count of the matches by facet value (the total is
their sum), the facet labels (provinces, product sets), and the page of documents. Pages are
served from the documents alone — they carry the card.

Matching: each word group of the query must be found (any of its alternatives) through the
engine's full-text index — ``vector @@ to_tsquery('ocop_folded', …)`` on PostgreSQL (a stored
tsvector with a GIN index), ``search_fts MATCH …`` on SQLite. When that finds nothing, any
group will do, ranked by how much matched. pg_trgm helps where the vocabulary cannot: a "did
you mean" from the nearest title and suggestions for a mistyped prefix (PostgreSQL only).

Ranking (``_relevance``) is one SQL expression over the folded fields, so SQLite and
PostgreSQL order alike: per group the best of (alternative weight × field weight) — the name
counts most, then the holder, the place, the product set and the description — plus a bonus
when the whole query stands as a phrase in the name (or holder, or place) and for adjacent word
pairs, so "gio lua" ranks Giò lụa above a product with "giò" and "lụa" far apart. Ties are then
broken by what can be bought now (a certificate in force today and stock), the stars of that
certificate, and the name.
"""

from __future__ import annotations

import datetime
import html
import itertools
import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Expression, RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductSet
from core.models import Province
from core.search import (
    PRODUCT,
    STATUS_ANY,
    STATUS_EXPIRED,
    STATUS_IN_FORCE,
    STATUS_REVOKED,
    FacetValue,
    IndexHealth,
    SearchFilters,
    SearchHit,
    SearchResults,
    Suggestion,
)
from search.documents import PRICE_BANDS, document_types, localised_name, price_band_label
from search.models import SearchDocument
from search.query import Group, ParsedQuery, query_parse
from search.text import tokens
from sellers.models import SellerType

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


def _buyable(today: datetime.date) -> Case:
    return Case(
        When(in_force_q(today) & Q(in_stock=True), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _stars_now(today: datetime.date) -> Case:
    return Case(
        When(in_force_q(today), then=F("stars")), default=Value(0), output_field=IntegerField()
    )


def _status_q(status: str, today: datetime.date) -> Q:
    if status == STATUS_IN_FORCE:
        return in_force_q(today)
    if status == STATUS_EXPIRED:
        return Q(latest_status="expired") | Q(latest_status="active", latest_valid_until__lt=today)
    if status == STATUS_REVOKED:
        return Q(latest_status=STATUS_REVOKED)
    if status == STATUS_ANY:
        return Q()
    raise ValueError(f"Unknown certificate status filter {status!r}.")


def _price_band_q(key: str, today: datetime.date) -> Q:
    low, high = PRICE_BANDS[key]
    q = in_force_q(today) & Q(min_price__isnull=False)
    if low is not None:
        q &= Q(min_price__gte=low)
    if high is not None:
        q &= Q(min_price__lte=high)
    return q


def _price_band_case(today: datetime.date) -> Case:
    return Case(
        *[When(_price_band_q(key, today), then=Value(key)) for key in PRICE_BANDS],
        default=Value(""),
    )


# --- matching -------------------------------------------------------------------------------


def _needle(terms) -> str:
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
    column, which the model does not know, named after the ``id`` column's alias."""

    _FIELD = re.compile(r"\{(\w+)\}")

    def __init__(self, template: str, params: list, *, output_field):
        super().__init__(output_field=output_field)
        self.template, self.params = template, list(params)
        fields = set(self._FIELD.findall(template))
        if "vector" in fields:
            fields = (fields - {"vector"}) | {"id"}
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
        if "id" in names:
            names["vector"] = names["id"].rsplit(".", 1)[0] + '."vector"'
        return self.template.format(**names), self.params

    def get_group_by_cols(self):
        return []


def _fts_filter(expression: str) -> DocumentSQL:
    if connection.vendor == "postgresql":
        template = "{vector} @@ to_tsquery('ocop_folded', %s)"
    else:
        template = "{id} IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
    return DocumentSQL(template, [expression], output_field=BooleanField())


def _contains(field: str) -> str:
    # The needles are folded words between spaces: nothing LIKE would read as a wildcard.
    return f"{{{field}}} LIKE %s"


STRONG_FIELDS = ("title_text", "holder_text", "place_text")


def _strong_match(group: Group) -> DocumentSQL:
    """One of ``group``'s alternatives is in the document's name, holder or place."""
    needles = [f"%{_needle(a.terms)}%" for a in group.alternatives for _ in STRONG_FIELDS]
    template = " OR ".join(_contains(field) for _ in group.alternatives for field in STRONG_FIELDS)
    return DocumentSQL(f"({template})", needles, output_field=BooleanField())


def _group_score(group: Group) -> tuple[str, list]:
    """The best (alternative × field) weight the document reaches for ``group``: a CASE whose
    branches are tried from the heaviest down."""
    options = sorted(
        (
            (alternative.weight * field_weight, field, _needle(alternative.terms))
            for alternative in group.alternatives
            for field, field_weight in FIELD_WEIGHTS
        ),
        key=lambda option: -option[0],
    )
    sql = " ".join(f"WHEN {_contains(field)} THEN {weight}" for weight, field, _ in options)
    return f"CASE {sql} ELSE 0 END", [f"%{needle}%" for _, _, needle in options]


def _relevance(parsed: ParsedQuery) -> DocumentSQL:
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
        phrase = _needle(term for terms in best for term in terms)
        branches = " ".join(
            f"WHEN {_contains(field)} THEN {bonus}" for field, bonus in PHRASE_BONUS
        )
        parts.append(f"CASE {branches} ELSE 0 END")
        params += [f"%{phrase}%"] * len(PHRASE_BONUS)
    if len(best) >= 3:
        for left, right in itertools.pairwise(best):
            parts.append(f"CASE WHEN {_contains('title_text')} THEN {PAIR_BONUS} ELSE 0 END")
            params.append(f"%{_needle((*left, *right))}%")
    if best:
        parts.append(f"CASE WHEN {_contains('title_text')} THEN {TITLE_START_BONUS} ELSE 0 END")
        params.append(f"{_needle(best[0])}%")
    return DocumentSQL("(" + " + ".join(parts) + ")", params, output_field=IntegerField())


def highlight(title: str, terms: set[str]) -> str:
    """``title`` as HTML with the words found in ``terms`` marked."""
    out = []
    for word in title.split(" "):
        folded = tokens(word)
        escaped = html.escape(word)
        out.append(f"<mark>{escaped}</mark>" if folded and set(folded) & terms else escaped)
    return " ".join(out)


# --- the backend ----------------------------------------------------------------------------


class DatabaseBackend:
    name = "database"

    def documents_changed(self, *, kind: str, ids: list[int]) -> None:
        """The documents are the index: nothing more to do."""

    # Queries ----------------------------------------------------------------------------------

    def _base(self, *, kind: str, filters: SearchFilters, today: datetime.date) -> QuerySet:
        documents = SearchDocument.objects.filter(kind=kind)
        if kind != PRODUCT:
            return documents
        documents = documents.filter(_status_q(filters.status, today))
        if filters.stars:
            documents = documents.filter(in_force_q(today), stars=filters.stars)
        if filters.province:
            documents = documents.filter(province__slug=filters.province)
        if filters.category:
            documents = documents.filter(category_slug=filters.category)
        if filters.product_set:
            documents = documents.filter(product_set_number=filters.product_set)
        if filters.price_band:
            documents = documents.filter(_price_band_q(filters.price_band, today))
        if filters.seller_type:
            documents = documents.filter(
                in_force_q(today), seller_types__contains=f" {filters.seller_type} "
            )
        if filters.in_stock:
            documents = documents.filter(in_force_q(today), in_stock=True)
        if filters.holder_id:
            documents = documents.filter(holder_id=filters.holder_id)
        return documents

    def _matching(
        self, documents: QuerySet, parsed: ParsedQuery | None, *, relaxed: bool
    ) -> QuerySet:
        if parsed is None:
            return documents
        groups = parsed.matchable
        if not groups:
            return documents.none()
        return documents.filter(_fts_filter(fts_expression(groups, any_group=relaxed)))

    def _facets(
        self,
        matches: QuerySet,
        *,
        filters: SearchFilters,
        today: datetime.date,
    ) -> tuple[int, dict[str, list[FacetValue]]]:
        """The total and every facet's counts from one grouped query over the matches."""
        rows = list(
            matches.order_by()
            .annotate(
                f_stars=_stars_now(today),
                f_price=_price_band_case(today),
                f_stock=_buyable(today),
                f_sellers=Case(
                    When(in_force_q(today), then=F("seller_types")),
                    default=Value(""),
                ),
            )
            .values(
                "f_stars",
                "province_id",
                "category_slug",
                "product_set_number",
                "f_price",
                "f_stock",
                "f_sellers",
            )
            .annotate(n=Count("id"))
        )
        total = sum(row["n"] for row in rows)
        counts: dict[str, dict] = {name: {} for name in FACETS}

        def add(name, value, n):
            if value not in (None, "", 0):
                counts[name][value] = counts[name].get(value, 0) + n

        for row in rows:
            n = row["n"]
            add("stars", row["f_stars"], n)
            add("province", row["province_id"], n)
            add("category", row["category_slug"], n)
            add("set", row["product_set_number"], n)
            add("price", row["f_price"], n)
            add("in_stock", row["f_stock"], n)
            for seller_type in row["f_sellers"].split():
                add("seller_type", seller_type, n)
        return total, self._facet_values(counts, filters=filters)

    def _facet_values(self, counts: dict, *, filters: SearchFilters) -> dict:
        provinces = {
            p.pk: p
            for p in Province.objects.filter(pk__in=list(counts["province"])).only("slug", "name")
        }
        sets = {}
        categories = {}
        if counts["set"] or counts["category"]:
            for product_set in (
                ProductSet.objects.select_related("category")
                .filter(number__in=list(counts["set"]) or [0])
                .order_by("number", "-framework__in_force_from")
            ):
                sets.setdefault(product_set.number, product_set)
            categories = {s.category.slug: s.category for s in sets.values()}
        star_values = [
            FacetValue(str(s), "★" * s, n, filters.stars == s)
            for s, n in sorted(counts["stars"].items(), reverse=True)
        ]
        province_values = sorted(
            (
                FacetValue(p.slug, p.name, counts["province"][pk], filters.province == p.slug)
                for pk, p in provinces.items()
            ),
            key=lambda v: (-v.count, v.label),
        )
        set_values = [
            FacetValue(
                str(number),
                f"{number}. {localised_name(sets[number])}",
                n,
                filters.product_set == number,
            )
            for number, n in sorted(counts["set"].items())
            if number in sets
        ]
        category_values = sorted(
            (
                FacetValue(slug, localised_name(categories[slug]), n, filters.category == slug)
                for slug, n in counts["category"].items()
                if slug in categories
            ),
            key=lambda v: (-v.count, v.label),
        )
        price_values = [
            FacetValue(key, price_band_label(key), counts["price"][key], filters.price_band == key)
            for key in PRICE_BANDS
            if key in counts["price"]
        ]
        seller_labels = dict(SellerType.choices)
        seller_values = [
            FacetValue(value, str(seller_labels.get(value, value)), n, filters.seller_type == value)
            for value, n in sorted(counts["seller_type"].items(), key=lambda kv: -kv[1])
        ]
        stock_values = (
            [FacetValue("1", _("In stock"), counts["in_stock"][1], filters.in_stock)]
            if counts["in_stock"].get(1)
            else []
        )
        return {
            "stars": star_values,
            "province": province_values,
            "category": category_values,
            "set": set_values,
            "price": price_values,
            "seller_type": seller_values,
            "in_stock": stock_values,
        }

    def _ordered(self, matches, *, parsed, order: str, today: datetime.date) -> QuerySet:
        documents = matches.annotate(buyable_now=_buyable(today), stars_now=_stars_now(today))
        tail = ["sort_name", "id"]
        if order == "relevance" and parsed is not None:
            documents = documents.annotate(relevance=_relevance(parsed))
            return documents.order_by("-relevance", "-buyable_now", "-stars_now", *tail)
        if order == "price_asc":
            return documents.order_by(F("min_price").asc(nulls_last=True), *tail)
        if order == "price_desc":
            return documents.order_by(F("min_price").desc(nulls_last=True), *tail)
        if order == "newest":
            return documents.order_by(F("latest_valid_from").desc(nulls_last=True), "-id")
        if order == "name":
            return documents.order_by(*tail)
        return documents.order_by("-stars_now", "-buyable_now", *tail)

    def search(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        kind: str = PRODUCT,
        order: str = "relevance",
        offset: int = 0,
        limit: int = 24,
        facets: bool = True,
        today: datetime.date | None = None,
    ) -> SearchResults:
        today = today or timezone.localdate()
        filters = filters or SearchFilters()
        parsed = query_parse(query) if tokens(query) else None
        base = self._base(kind=kind, filters=filters, today=today)
        matches = self._matching(base, parsed, relaxed=False)
        total, facet_values = self._count(
            matches, kind=kind, filters=filters, today=today, facets=facets
        )
        if total == 0 and parsed is not None and len(parsed.matchable) >= 2:
            # Not every word was found together: any of them, ranked by how much matched.
            matches = self._matching(base, parsed, relaxed=True)
            total, facet_values = self._count(
                matches, kind=kind, filters=filters, today=today, facets=facets
            )
        hits = []
        if total and limit > 0:
            page = self._ordered(matches, parsed=parsed, order=order, today=today)
            page = page.defer(*TEXT_FIELDS)[offset : offset + limit]
            terms = parsed.terms() if parsed else set()
            hits = [self._hit(document, terms=terms, today=today) for document in page]
        results = SearchResults(hits=hits, total=total, facets=facet_values, query=query)
        if parsed is not None:
            results.corrected = parsed.corrected if total else ""
            if not total:
                results.did_you_mean = parsed.did_you_mean or self._nearest_title(query)
        return results

    def _count(self, matches, *, kind, filters, today, facets) -> tuple[int, dict]:
        if facets and kind == PRODUCT:
            return self._facets(matches, filters=filters, today=today)
        return matches.count(), {}

    def _hit(self, document: SearchDocument, *, terms: set[str], today) -> SearchHit:
        in_force = (
            document.certificate_valid_until is not None
            and document.certificate_valid_until >= today
        )
        return SearchHit(
            kind=document.kind,
            object_id=document.object_id,
            title=document.title,
            url=document.url,
            subtitle=document.subtitle,
            highlight=highlight(document.title, terms),
            stars=document.stars if in_force else None,
            in_force=in_force,
            buyable=in_force and document.in_stock,
            # Offers are visible only while the certificate is in force.
            min_price=document.min_price if in_force else None,
            max_price=document.max_price if in_force else None,
            seller_count=document.seller_count if in_force else 0,
            in_stock=in_force and document.in_stock,
            is_demo=document.is_demo,
            card=document.card,
            score=float(getattr(document, "relevance", 0) or 0),
        )

    def product_ids(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        today: datetime.date | None = None,
        ranked: bool = True,
    ) -> QuerySet:
        """Object ids of the products matching ``query`` (best first when ``ranked``), as a
        queryset: a subquery where a caller filters on it. Every word must be found: a list
        narrowed by words should not widen when one of them is unknown."""
        today = today or timezone.localdate()
        filters = filters or SearchFilters(status=STATUS_ANY)
        parsed = query_parse(query) if tokens(query) else None
        base = self._base(kind=PRODUCT, filters=filters, today=today)
        if parsed is not None and len(parsed.matchable) < len(parsed.groups):
            return base.none().values_list("object_id", flat=True)
        matches = self._matching(base, parsed, relaxed=False)
        if parsed is not None:
            # A list narrowed by words keeps the products that carry them in their own name,
            # holder or place: a product set's name ("Mật ong, …") or a description would let
            # every product of the set through.
            for group in parsed.matchable:
                matches = matches.filter(_strong_match(group))
        if not ranked:
            return matches.values_list("object_id", flat=True)
        return self._ordered(matches, parsed=parsed, order="relevance", today=today).values_list(
            "object_id", flat=True
        )

    # Suggestions ------------------------------------------------------------------------------

    def suggest(
        self, *, prefix: str, limit: int = 8, today: datetime.date | None = None
    ) -> list[Suggestion]:
        """Products with a certificate in force and producers whose text has every complete
        word of ``prefix`` and a word starting with its last one; titles that match first."""
        today = today or timezone.localdate()
        words = tokens(prefix)
        if not words or len("".join(words)) < SUGGEST_MIN_CHARS:
            return []
        complete, last = words[:-1], words[-1]
        parsed = query_parse(" ".join(complete)) if complete else None
        groups = parsed.matchable if parsed else []
        if parsed is not None and len(groups) < len(parsed.groups):
            return self._suggest_similar(prefix, limit=limit, today=today)
        # Every word in the text, the last one begun in the title: what is being typed is a
        # product's or a producer's name.
        documents = SearchDocument.objects.filter(
            Q(kind=PRODUCT, certificate_valid_until__gte=today) | ~Q(kind=PRODUCT),
            _fts_filter(fts_expression(groups, prefix=last)),
            title_text__contains=f" {last}",
        )
        # How much of the complete words is in the title (the last word always is); a bare
        # "0" would read as a column position in ORDER BY.
        parts, params = ["1"], []
        for group in groups:
            branches = " ".join(
                f"WHEN {_contains('title_text')} THEN {a.weight}" for a in group.alternatives
            )
            parts.append(f"CASE {branches} ELSE 0 END")
            params += [f"%{_needle(a.terms)}%" for a in group.alternatives]
        rows = list(
            documents.annotate(
                title_score=DocumentSQL(
                    "(" + " + ".join(parts) + ")", params, output_field=IntegerField()
                ),
                product_first=Case(
                    When(kind=PRODUCT, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                buyable_now=_buyable(today),
                stars_now=_stars_now(today),
            )
            .order_by(
                "-title_score", "-product_first", "-buyable_now", "-stars_now", "sort_name", "id"
            )
            .values_list("kind", "title", "url", "subtitle")[:limit]
        )
        if not rows:
            return self._suggest_similar(prefix, limit=limit, today=today)
        terms = (parsed.terms() if parsed else set()) | {last}
        return [
            Suggestion(kind=k, title=t, url=u, subtitle=s, highlight=_prefix_highlight(t, terms))
            for k, t, u, s in rows
        ]

    def _suggest_similar(self, prefix: str, *, limit: int, today) -> list[Suggestion]:
        """A mistyped prefix: the titles nearest by trigrams (PostgreSQL's pg_trgm)."""
        if connection.vendor != "postgresql":
            return []
        folded = " ".join(tokens(prefix))
        rows = (
            SearchDocument.objects.filter(
                Q(kind=PRODUCT, certificate_valid_until__gte=today) | ~Q(kind=PRODUCT)
            )
            .annotate(similarity=RawSQL("word_similarity(%s, title_text)", [folded]))
            .filter(RawSQL("%s <%% title_text", [folded], output_field=BooleanField()))
            .order_by("-similarity", "sort_name", "id")
            .values_list("kind", "title", "url", "subtitle")[:limit]
        )
        return [
            Suggestion(kind=k, title=t, url=u, subtitle=s, highlight=html.escape(t))
            for k, t, u, s in rows
        ]

    def _nearest_title(self, query: str) -> str:
        """ "Did you mean" from pg_trgm: the product title most like the query, if any is."""
        if connection.vendor != "postgresql":
            return ""
        folded = " ".join(tokens(query))
        row = (
            SearchDocument.objects.filter(kind=PRODUCT)
            .annotate(similarity=RawSQL("similarity(title_text, %s)", [folded]))
            .filter(RawSQL("title_text %% %s", [folded], output_field=BooleanField()))
            .order_by("-similarity", "id")
            .values_list("sort_name", flat=True)
            .first()
        )
        return row or ""

    # Health -----------------------------------------------------------------------------------

    def health(self) -> IndexHealth:
        counts = dict(SearchDocument.objects.order_by().values_list("kind").annotate(n=Count("id")))
        last = SearchDocument.objects.aggregate(last=Max("updated_at"))["last"]
        return IndexHealth(
            backend=self.name,
            documents={t.kind: counts.get(t.kind, 0) for t in document_types()},
            backlog=0,
            oldest_pending=None,
            last_update=last,
        )


def _prefix_highlight(title: str, terms: set[str]) -> str:
    out = []
    for word in title.split(" "):
        folded = tokens(word)
        hit = folded and any(f in terms or any(f.startswith(t) for t in terms) for f in folded)
        escaped = html.escape(word)
        out.append(f"<mark>{escaped}</mark>" if hit else escaped)
    return " ".join(out)
