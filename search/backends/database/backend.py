"""``DatabaseBackend``: searching, facets, suggestions and health over the search index.

Matching, ranking and facet counts read the narrow match rows (``SearchMatch``); only the
documents of the page (``SearchDocument``, the cards) are fetched, by id."""

from __future__ import annotations

import datetime
import html

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductSet
from core.models import Province
from core.search import (
    PRODUCT,
    STATUS_ANY,
    FacetValue,
    IndexHealth,
    SearchFilters,
    SearchHit,
    SearchResults,
    Suggestion,
)
from search.backends.database.matching import (
    FACETS,
    SUGGEST_MIN_CHARS,
    TEXT_FIELDS,
    DocumentSQL,
    buyable_case,
    contains_sql,
    fts_expression,
    fts_filter,
    highlight,
    in_force_q,
    needle,
    price_band_case,
    price_band_q,
    relevance,
    stars_now_case,
    status_q,
    strong_match,
)
from search.documents import PRICE_BANDS, document_types, localised_name, price_band_label
from search.models import SearchDocument, SearchMatch, SearchPrefix
from search.query import Group, ParsedQuery, query_parse
from search.text import PREFIX_MAX_LENGTH, tokens
from sellers.models import SellerType

# The facets counted by a GROUP BY over one column of the matches (``_facets``); seller types,
# several in one column, are counted per value.
FACET_COLUMNS = (
    ("stars", "stars_now"),
    ("province", "province_id"),
    ("category", "category_slug"),
    ("set", "product_set_number"),
    ("price", "f_price"),
    ("in_stock", "buyable_now"),
)
# ``_ordered``'s orders over the columns of ``_facets_and_page``'s CTE ("" the default).
PAGE_ORDER_SQL = {
    "relevance": "relevance DESC, buyable_now DESC, stars_now DESC, sort_name ASC, id ASC",
    "price_asc": "min_price ASC NULLS LAST, sort_name ASC, id ASC",
    "price_desc": "min_price DESC NULLS LAST, sort_name ASC, id ASC",
    "newest": "latest_valid_from DESC NULLS LAST, id DESC",
    "name": "sort_name ASC, id ASC",
    "": "stars_now DESC, buyable_now DESC, sort_name ASC, id ASC",
}

# --- the backend ----------------------------------------------------------------------------


class DatabaseBackend:
    name = "database"

    def documents_changed(self, *, kind: str, ids: list[int]) -> None:
        """The documents are the index: nothing more to do."""

    # Queries ----------------------------------------------------------------------------------

    def _base(self, *, kind: str, filters: SearchFilters, today: datetime.date) -> QuerySet:
        documents = SearchMatch.objects.filter(kind=kind)
        if kind != PRODUCT:
            return documents
        documents = documents.filter(status_q(filters.status, today))
        if filters.stars:
            documents = documents.filter(in_force_q(today), stars=filters.stars)
        if filters.province:
            documents = documents.filter(province__slug=filters.province)
        if filters.category:
            documents = documents.filter(category_slug=filters.category)
        if filters.product_set:
            documents = documents.filter(product_set_number=filters.product_set)
        if filters.price_band:
            documents = documents.filter(price_band_q(filters.price_band, today))
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
        if relaxed:
            # Any word will do, but one the buyer typed: a correction of a word found nowhere
            # together with the others would bring products sharing no word with the query
            # ("banh chung" → "Bình Liêu", "Song Hành").
            groups = [Group(source=g.source, alternatives=g.as_typed) for g in groups]
            groups = [g for g in groups if g.alternatives]
        if not groups:
            return documents.none()
        return documents.filter(fts_filter(fts_expression(groups, any_group=relaxed)))

    def _facets_and_page(
        self,
        matches: QuerySet,
        *,
        parsed: ParsedQuery | None,
        order: str,
        offset: int,
        limit: int,
        filters: SearchFilters,
        today: datetime.date,
    ) -> tuple[int, dict[str, list[FacetValue]], list[tuple[int, int]]]:
        """The total, every facet's counts and the page's (document id, relevance), best first,
        from one statement that finds the matches once (in the narrow match rows): their facet
        and ordering columns as a CTE, then the facet counts — on PostgreSQL one pass with
        GROUPING SETS, on SQLite one small GROUP BY per facet — and the page's top rows, glued
        with UNION ALL: a hundred rows back whatever the number of matches, nothing counted in
        Python."""
        ranked = order == "relevance" and parsed is not None
        columns = (
            matches.order_by()
            .annotate(
                relevance=relevance(parsed) if ranked else Value(0, output_field=IntegerField()),
                buyable_now=buyable_case(today),
                stars_now=stars_now_case(today),
                f_price=price_band_case(today),
                f_sellers=Case(
                    When(in_force_q(today), then=F("seller_types")),
                    default=Value(""),
                ),
            )
            .values(
                "relevance",
                "buyable_now",
                "stars_now",
                "sort_name",
                "min_price",
                "latest_valid_from",
                "province_id",
                "category_slug",
                "product_set_number",
                "f_price",
                "f_sellers",
                id=F("pk"),  # the document's id
            )
        )
        try:
            inner, params = columns.query.sql_with_params()
        except EmptyResultSet:  # nothing can match (``none()``)
            return 0, self._facet_values({name: {} for name in FACETS}, filters=filters), []
        params = list(params)
        if connection.vendor == "postgresql":
            # Every facet and the total from one pass over the matches (grouping sets); the
            # set a row belongs to is the one column it is grouped by (GROUPING() = 0).
            names = " ".join(
                f"WHEN GROUPING({column}) = 0 THEN '{name}'" for name, column in FACET_COLUMNS
            )
            values = " ".join(
                f"WHEN GROUPING({column}) = 0 THEN CAST({column} AS TEXT)"
                for _name, column in FACET_COLUMNS
            )
            sets = ", ".join(f"({column})" for _name, column in FACET_COLUMNS)
            parts = [
                f"SELECT CASE {names} ELSE 'total' END, CASE {values} ELSE '' END, COUNT(*), 0 "
                f"FROM m GROUP BY GROUPING SETS ({sets}, ())"
            ]
        else:
            parts = [
                f"SELECT '{name}', CAST({column} AS TEXT), COUNT(*), 0 FROM m GROUP BY {column}"
                for name, column in FACET_COLUMNS
            ]
            parts.append("SELECT 'total', '', COUNT(*), 0 FROM m")
        for value in SellerType.values:
            parts.append(
                f"SELECT 'seller_type', '{value}', "
                "SUM(CASE WHEN f_sellers LIKE %s ESCAPE '!' THEN 1 ELSE 0 END), 0 FROM m"
            )
            params.append("% " + value.replace("!", "!!").replace("_", "!_") + " %")
        if limit > 0:
            # The page's rows numbered in their order (a UNION keeps no order of its own).
            key = order if order in PAGE_ORDER_SQL and (ranked or order != "relevance") else ""
            order_sql = PAGE_ORDER_SQL[key]
            parts.append(
                f"SELECT 'hit', CAST(id AS TEXT), ROW_NUMBER() OVER (ORDER BY {order_sql}), "
                f"relevance FROM (SELECT * FROM m ORDER BY {order_sql} "
                f"LIMIT {int(limit)} OFFSET {int(offset)}) page"
            )
        with connection.cursor() as cursor:
            cursor.execute(f"WITH m AS ({inner}) " + " UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        total = 0
        counts: dict[str, dict] = {name: {} for name in FACETS}
        page = []
        for name, value, n, score in rows:
            if name == "total":
                total = n
            elif name == "hit":
                page.append((n, int(value), score))
            elif value not in (None, "", "0") and n:
                key = value if name in ("category", "price", "seller_type") else int(value)
                counts[name][key] = n
        hits = [(pk, score) for _n, pk, score in sorted(page)]
        return total, self._facet_values(counts, filters=filters), hits

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
        documents = matches.annotate(
            buyable_now=buyable_case(today), stars_now=stars_now_case(today)
        )
        tail = ["sort_name", "pk"]
        if order == "relevance" and parsed is not None:
            documents = documents.annotate(relevance=relevance(parsed))
            return documents.order_by("-relevance", "-buyable_now", "-stars_now", *tail)
        if order == "price_asc":
            return documents.order_by(F("min_price").asc(nulls_last=True), *tail)
        if order == "price_desc":
            return documents.order_by(F("min_price").desc(nulls_last=True), *tail)
        if order == "newest":
            return documents.order_by(F("latest_valid_from").desc(nulls_last=True), "-pk")
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
        terms = parsed.terms() if parsed else set()
        if facets and kind == PRODUCT:
            # Buyers' searches: facets and the page from one pass over the matches.
            page_of = dict(parsed=parsed, order=order, offset=offset, limit=limit,
                           filters=filters, today=today)  # fmt: skip
            matches = self._matching(base, parsed, relaxed=False)
            total, facet_values, page = self._facets_and_page(matches, **page_of)
            if total == 0 and parsed is not None and len(parsed.matchable) >= 2:
                # Not every word was found together: any of them, ranked by how much matched.
                matches = self._matching(base, parsed, relaxed=True)
                total, facet_values, page = self._facets_and_page(matches, **page_of)
            documents = SearchDocument.objects.defer(*TEXT_FIELDS).in_bulk([pk for pk, _ in page])
            hits = []
            for pk, score in page:
                documents[pk].relevance = score
                hits.append(self._hit(documents[pk], terms=terms, today=today))
        else:
            matches = self._matching(base, parsed, relaxed=False)
            total = matches.count()
            if total == 0 and parsed is not None and len(parsed.matchable) >= 2:
                matches = self._matching(base, parsed, relaxed=True)
                total = matches.count()
            facet_values = {}
            hits = []
            if total and limit > 0:
                ordered = self._ordered(matches, parsed=parsed, order=order, today=today)
                ranked = "relevance" in ordered.query.annotations
                page = list(
                    ordered.values_list("pk", "relevance" if ranked else "stars_now")[
                        offset : offset + limit
                    ]
                )
                documents = SearchDocument.objects.defer(*TEXT_FIELDS).in_bulk(
                    [pk for pk, _ in page]
                )
                for pk, score in page:
                    documents[pk].relevance = score if ranked else 0
                    hits.append(self._hit(documents[pk], terms=terms, today=today))
        results = SearchResults(hits=hits, total=total, facets=facet_values, query=query)
        if parsed is not None:
            results.corrected = parsed.corrected if total else ""
            if not total:
                results.did_you_mean = parsed.did_you_mean or self._nearest_title(query)
        return results

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
                matches = matches.filter(strong_match(group))
        if not ranked:
            return matches.values_list("object_id", flat=True)
        return self._ordered(matches, parsed=parsed, order="relevance", today=today).values_list(
            "object_id", flat=True
        )

    def product_relevance(self, *, query: str, today: datetime.date | None = None):
        """The relevance ``search()`` ranks by, read from each product's document (one indexed
        lookup per product of the list, by the unique (kind, object_id))."""
        parsed = query_parse(query) if tokens(query) else None
        if parsed is None or not parsed.matchable:
            return Value(0, output_field=IntegerField())
        score = (
            SearchMatch.objects.filter(kind=PRODUCT, object_id=OuterRef("pk"))
            .annotate(relevance=relevance(parsed))
            .values("relevance")[:1]
        )
        return Coalesce(Subquery(score, output_field=IntegerField()), Value(0))

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
        rows = self._suggest_from_prefixes(groups, last, limit=limit, today=today)
        if rows is None:
            rows = self._suggest_from_documents(groups, last, limit=limit, today=today)
        if not rows:
            return self._suggest_similar(prefix, limit=limit, today=today)
        terms = (parsed.terms() if parsed else set()) | {last}
        return [
            Suggestion(kind=k, title=t, url=u, subtitle=s, highlight=_prefix_highlight(t, terms))
            for k, t, u, s in rows
        ]

    def _suggest_from_prefixes(
        self, groups: list[Group], last: str, *, limit: int, today
    ) -> list[tuple] | None:
        """Suggestions from the word-beginning rows (``SearchPrefix``), in their index order,
        when the answer is there: titles that begin a word with ``last`` and hold every
        complete word as well as it can be held (each group's best alternative), which is the
        highest title score any document can have. None when fewer than ``limit`` do and
        others, with a lower score, may follow them."""
        # Read under the longest word known to be a title word (whole for a complete word, begun
        # for the last): the fewest rows.
        key = last
        held = Q()
        for group in groups:
            best = [a for a in group.alternatives if a.weight == group.best.weight]
            if len(best) == 1:
                key = max([key, *best[0].terms], key=len)
            held_group = Q()
            for alternative in best:
                held_group |= Q(title_text__contains=needle(alternative.terms))
            held &= held_group
        if key != last or len(last) > PREFIX_MAX_LENGTH:
            held &= Q(title_text__contains=f" {last}")
        rows = SearchPrefix.objects.filter(
            Q(product=False) | Q(valid_until__gte=today), held, prefix=key[:PREFIX_MAX_LENGTH]
        )
        # The page of rows first, then their documents: joined before the LIMIT, every
        # candidate row would fetch its wide document.
        inner, params = (
            rows.order_by("-tier", "sort_name", "document_id")
            .values("document_id", "tier", "sort_name")[:limit]
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.kind, d.title, d.url, d.subtitle "
                f"FROM ({inner}) p JOIN {SearchDocument._meta.db_table} d "
                "ON d.id = p.document_id ORDER BY p.tier DESC, p.sort_name, p.document_id",
                params,
            )
            found = cursor.fetchall()
        if groups and len(found) < limit:
            return None
        return found

    def _suggest_from_documents(
        self, groups: list[Group], last: str, *, limit: int, today
    ) -> list[tuple]:
        """Suggestions ranked over the documents: those whose title holds only some of the
        complete words (or a weaker alternative of one) come after those holding them all."""
        # Every word in the text, the last one begun in the title: what is being typed is a
        # product's or a producer's name.
        documents = SearchMatch.objects.filter(
            Q(kind=PRODUCT, certificate_valid_until__gte=today) | ~Q(kind=PRODUCT),
            fts_filter(fts_expression(groups, prefix=last)),
            title_text__contains=f" {last}",
        )
        # How much of the complete words is in the title (the last word always is); a bare
        # "0" would read as a column position in ORDER BY.
        parts, params = ["1"], []
        for group in groups:
            branches = " ".join(
                f"WHEN {contains_sql('title_text')} THEN {a.weight}" for a in group.alternatives
            )
            parts.append(f"CASE {branches} ELSE 0 END")
            params += [f"%{needle(a.terms)}%" for a in group.alternatives]
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
                buyable_now=buyable_case(today),
                stars_now=stars_now_case(today),
            )
            .order_by(
                "-title_score", "-product_first", "-buyable_now", "-stars_now", "sort_name", "pk"
            )
            .values_list("kind", "document__title", "document__url", "document__subtitle")[:limit]
        )
        return rows

    def _suggest_similar(self, prefix: str, *, limit: int, today) -> list[Suggestion]:
        """A mistyped prefix: the titles nearest by trigrams (PostgreSQL's pg_trgm)."""
        if connection.vendor != "postgresql":
            return []
        folded = " ".join(tokens(prefix))
        rows = (
            SearchMatch.objects.filter(
                Q(kind=PRODUCT, certificate_valid_until__gte=today) | ~Q(kind=PRODUCT)
            )
            .annotate(
                similarity=RawSQL("word_similarity(%s, search_searchmatch.title_text)", [folded])
            )
            .filter(
                RawSQL(
                    "%s <%% search_searchmatch.title_text", [folded], output_field=BooleanField()
                )
            )
            .order_by("-similarity", "sort_name", "pk")
            .values_list("kind", "document__title", "document__url", "document__subtitle")[:limit]
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
            SearchMatch.objects.filter(kind=PRODUCT)
            .annotate(similarity=RawSQL("similarity(title_text, %s)", [folded]))
            .filter(RawSQL("title_text %% %s", [folded], output_field=BooleanField()))
            .order_by("-similarity", "pk")
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
