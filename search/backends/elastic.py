"""The Elasticsearch backend (``SEARCH_BACKEND=elasticsearch``), through elasticsearch-dsl.

**Index.** ``index_definition`` (elasticsearch-dsl): text analysed with the standard tokenizer,
lower-casing and ASCII folding (which maps đ to d, so "Đông" and "dong" meet), the synonym list
of ``search/data/synonyms.txt`` at search time, edge n-grams on titles for suggestions, and
keyword fields for the facets. Indices are versioned — ``<alias>-<timestamp>`` — and searched
through the alias ``ELASTICSEARCH_INDEX``; ``rebuild`` fills a new index, swaps the alias in one
atomic call and drops the old index, so searches never see an empty or half-filled index.

**Feeding it.** The database documents (``search.SearchDocument``) stay the source: every write
rewrites them in its own transaction, and this backend adds a ``SearchOutbox`` row beside them
(``documents_changed``). After the commit the outbox is drained (``outbox_drain``: the documents
as they are then are indexed, missing ones deleted); if Elasticsearch is down or slow the rows
stay, with the error, and ``manage.py search_outbox --drain`` (or the next commit) sends them
when it is back. Nothing is lost and nothing is sent twice out of order: each row's document is
read at sending time.

**Queries** are built as plain data (``search_body``, ``suggest_body``) and answers parsed from
plain data (``parse_search``, ``parse_suggest``), so both are tested without a server against
recorded responses. Relevance follows the database backend: the vocabulary in the database
reads the query first (a typo corrected, "bakich" split into "ba kich"), every word must match
across name, holder, place, product set and description, a phrase in the name ranks above
scattered words; then what can be bought today, then the stars of the certificate in force.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from elasticsearch_dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    Object,
    Text,
    analyzer,
    token_filter,
)

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
from search.models import SearchDocument, SearchIndexState, SearchOutbox
from search.query import query_parse
from search.text import synonym_groups, tokens
from sellers.models import SellerType

logger = logging.getLogger(__name__)

BACKEND = "elasticsearch"
BATCH = 500
REQUEST_TIMEOUT = 5
# After a failed send, commits leave the outbox to the command for this long instead of
# making every request wait for a server that is down.
RETRY_AFTER_SECONDS = 30
FIELD_BOOSTS = ("title^10", "holder^6", "place^5", "category^3", "body^2")

# --- the index ------------------------------------------------------------------------------

folding = token_filter("ocop_folding", "asciifolding", preserve_original=False)
edge_ngrams = token_filter("ocop_edge_ngrams", "edge_ngram", min_gram=1, max_gram=20)


def _synonyms():
    return token_filter(
        "ocop_synonyms",
        "synonym_graph",
        synonyms=[", ".join(" ".join(entry) for entry in group) for group in synonym_groups()],
    )


def _analyzers():
    folded = analyzer("ocop_folded", tokenizer="standard", filter=["lowercase", folding])
    folded_search = analyzer(
        "ocop_folded_search", tokenizer="standard", filter=["lowercase", folding, _synonyms()]
    )
    suggest = analyzer(
        "ocop_suggest", tokenizer="standard", filter=["lowercase", folding, edge_ngrams]
    )
    return folded, folded_search, suggest


def _document_class(index_name: str) -> type[Document]:
    folded, folded_search, suggest = _analyzers()

    def text(**extra):
        return Text(analyzer=folded, search_analyzer=folded_search, **extra)

    class OcopDocument(Document):
        kind = Keyword()
        object_id = Long()
        title = text(fields={"suggest": Text(analyzer=suggest, search_analyzer=folded)})
        holder = text()
        place = text()
        category = text()
        body = text()
        subtitle = Keyword(index=False)
        url = Keyword(index=False)
        sort_name = Keyword()
        province = Keyword()
        category_slug = Keyword()
        product_set = Integer()
        holder_id = Long()
        stars = Integer()
        certificate_valid_from = Date()
        certificate_valid_until = Date()
        latest_status = Keyword()
        latest_valid_from = Date()
        latest_valid_until = Date()
        min_price = Long()
        max_price = Long()
        seller_count = Integer()
        seller_types = Keyword()
        in_stock = Boolean()
        is_demo = Boolean()
        card = Object(enabled=False)
        updated_at = Date()

        class Index:
            name = index_name

    return OcopDocument


def index_definition(index_name: str) -> Index:
    """The index ``index_name`` with its analyzers and mapping (``.to_dict()`` is the body that
    creates it)."""
    index = Index(index_name)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.document(_document_class(index_name))
    return index


def document_source(document: SearchDocument, *, province_slug: str = "") -> dict:
    """What Elasticsearch stores for a database document."""
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "title": document.title,
        "holder": document.holder_text.strip(),
        "place": document.place_text.strip(),
        "category": document.category_text.strip(),
        "body": document.body_text.strip(),
        "subtitle": document.subtitle,
        "url": document.url,
        "sort_name": document.sort_name,
        "province": province_slug,
        "category_slug": document.category_slug,
        "product_set": document.product_set_number,
        "holder_id": document.holder_id,
        "stars": document.stars,
        "certificate_valid_from": document.certificate_valid_from,
        "certificate_valid_until": document.certificate_valid_until,
        "latest_status": document.latest_status,
        "latest_valid_from": document.latest_valid_from,
        "latest_valid_until": document.latest_valid_until,
        "min_price": document.min_price,
        "max_price": document.max_price,
        "seller_count": document.seller_count,
        "seller_types": document.seller_types.split(),
        "in_stock": document.in_stock,
        "is_demo": document.is_demo,
        "card": document.card,
        "updated_at": document.updated_at,
    }


def document_id(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


# --- query bodies -----------------------------------------------------------------------------


def _in_force(today: datetime.date) -> dict:
    """Read-time half of "certificate in force" (see ``search.backends.database.in_force_q``)."""
    return {"range": {"certificate_valid_until": {"gte": today.isoformat()}}}


def _buyable(today: datetime.date) -> dict:
    return {"bool": {"filter": [_in_force(today), {"term": {"in_stock": True}}]}}


def _status_filter(status: str, today: datetime.date) -> dict | None:
    if status == STATUS_IN_FORCE:
        return _in_force(today)
    if status == STATUS_EXPIRED:
        return {
            "bool": {
                "should": [
                    {"term": {"latest_status": "expired"}},
                    {
                        "bool": {
                            "filter": [
                                {"term": {"latest_status": "active"}},
                                {"range": {"latest_valid_until": {"lt": today.isoformat()}}},
                            ]
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }
    if status == STATUS_REVOKED:
        return {"term": {"latest_status": "revoked"}}
    if status == STATUS_ANY:
        return None
    raise ValueError(f"Unknown certificate status filter {status!r}.")


def _price_range(key: str) -> dict:
    low, high = PRICE_BANDS[key]
    bounds = {}
    if low is not None:
        bounds["gte"] = low
    if high is not None:
        bounds["lte"] = high
    return bounds


def filter_clauses(*, kind: str, filters: SearchFilters, today: datetime.date) -> list[dict]:
    clauses: list[dict] = [{"term": {"kind": kind}}]
    if kind != PRODUCT:
        return clauses
    status = _status_filter(filters.status, today)
    if status:
        clauses.append(status)
    if filters.stars:
        clauses += [_in_force(today), {"term": {"stars": filters.stars}}]
    if filters.province:
        clauses.append({"term": {"province": filters.province}})
    if filters.category:
        clauses.append({"term": {"category_slug": filters.category}})
    if filters.product_set:
        clauses.append({"term": {"product_set": filters.product_set}})
    if filters.price_band:
        clauses += [_in_force(today), {"range": {"min_price": _price_range(filters.price_band)}}]
    if filters.seller_type:
        clauses += [_in_force(today), {"term": {"seller_types": filters.seller_type}}]
    if filters.in_stock:
        clauses.append(_buyable(today))
    if filters.holder_id:
        clauses.append({"term": {"holder_id": filters.holder_id}})
    return clauses


def text_query(query: str, *, understood: str = "") -> dict:
    """Every word across the fields (as typed, or as the vocabulary understood it), typos
    within one edit, and the phrase in the name above the same words scattered."""
    should = [
        {
            "multi_match": {
                "query": query,
                "fields": list(FIELD_BOOSTS),
                "type": "cross_fields",
                "operator": "and",
                "boost": 2,
            }
        },
        {
            "multi_match": {
                "query": query,
                "fields": list(FIELD_BOOSTS),
                "type": "most_fields",
                "operator": "and",
                "fuzziness": "AUTO:4,7",
                "prefix_length": 1,
            }
        },
        {"match_phrase": {"title": {"query": understood or query, "boost": 8}}},
        {"match_phrase": {"holder": {"query": understood or query, "boost": 3}}},
    ]
    if understood and understood != query:
        should.append(
            {
                "multi_match": {
                    "query": understood,
                    "fields": list(FIELD_BOOSTS),
                    "type": "cross_fields",
                    "operator": "and",
                }
            }
        )
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _sort(order: str, *, today: datetime.date, has_text: bool) -> list:
    buyable_now = {
        "_script": {
            "type": "number",
            "order": "desc",
            "script": {
                "lang": "painless",
                "source": (
                    "doc['in_stock'].size() > 0 && doc['in_stock'].value && "
                    "doc['certificate_valid_until'].size() > 0 && "
                    "doc['certificate_valid_until'].value.toLocalDate().toString()"
                    ".compareTo(params.today) >= 0 ? 1 : 0"
                ),
                "params": {"today": today.isoformat()},
            },
        }
    }
    stars_now = {"stars": {"order": "desc", "missing": "_last"}}
    tail = [{"sort_name": "asc"}, {"object_id": "asc"}]
    if order == "relevance" and has_text:
        return ["_score", buyable_now, stars_now, *tail]
    if order == "price_asc":
        return [{"min_price": {"order": "asc", "missing": "_last"}}, *tail]
    if order == "price_desc":
        return [{"min_price": {"order": "desc", "missing": "_last"}}, *tail]
    if order == "newest":
        return [{"latest_valid_from": {"order": "desc", "missing": "_last"}}, *tail]
    if order == "name":
        return tail
    return [stars_now, buyable_now, *tail]


def aggregations(today: datetime.date) -> dict:
    in_force = _in_force(today)
    return {
        "stars": {"filter": in_force, "aggs": {"values": {"terms": {"field": "stars"}}}},
        "province": {"terms": {"field": "province", "size": 100}},
        "category": {"terms": {"field": "category_slug", "size": 50}},
        "set": {"terms": {"field": "product_set", "size": 50}},
        "price": {
            "filter": in_force,
            "aggs": {
                "values": {
                    "range": {
                        "field": "min_price",
                        "keyed": True,
                        "ranges": [{"key": key, **_es_range(key)} for key in PRICE_BANDS],
                    }
                }
            },
        },
        "seller_type": {
            "filter": in_force,
            "aggs": {"values": {"terms": {"field": "seller_types", "size": 20}}},
        },
        "in_stock": {"filter": _buyable(today)},
    }


def _es_range(key: str) -> dict:
    low, high = PRICE_BANDS[key]
    bounds = {}
    if low is not None:
        bounds["from"] = low
    if high is not None:
        bounds["to"] = high + 1  # Elasticsearch ranges exclude "to"
    return bounds


def search_body(
    *,
    query: str,
    filters: SearchFilters,
    kind: str,
    order: str,
    offset: int,
    limit: int,
    today: datetime.date,
    facets: bool,
    understood: str = "",
) -> dict:
    body: dict = {
        "query": {"bool": {"filter": filter_clauses(kind=kind, filters=filters, today=today)}},
        "sort": _sort(order, today=today, has_text=bool(tokens(query))),
        "from": offset,
        "size": limit,
        "track_total_hits": True,
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {"title": {"number_of_fragments": 0}},
        },
    }
    if tokens(query):
        body["query"]["bool"]["must"] = [text_query(query, understood=understood)]
    if facets and kind == PRODUCT:
        body["aggs"] = aggregations(today)
    return body


def suggest_body(*, prefix: str, today: datetime.date, limit: int) -> dict:
    return {
        "query": {
            "bool": {
                "must": [
                    {
                        "match": {
                            "title.suggest": {"query": " ".join(tokens(prefix)), "operator": "and"}
                        }
                    }
                ],
                "filter": [
                    {
                        "bool": {
                            "should": [
                                {"bool": {"must_not": {"term": {"kind": PRODUCT}}}},
                                _in_force(today),
                            ],
                            "minimum_should_match": 1,
                        }
                    }
                ],
            }
        },
        "sort": ["_score", {"stars": {"order": "desc", "missing": "_last"}}, "sort_name"],
        "size": limit,
        "_source": ["kind", "title", "url", "subtitle"],
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {"title.suggest": {"number_of_fragments": 0}},
        },
    }


# --- answers ----------------------------------------------------------------------------------


def _day(value) -> datetime.date | None:
    if not value:
        return None
    return datetime.date.fromisoformat(str(value)[:10])


def parse_hit(raw: dict, *, today: datetime.date) -> SearchHit:
    source = raw["_source"]
    valid_until = _day(source.get("certificate_valid_until"))
    in_force = valid_until is not None and valid_until >= today
    highlighted = (raw.get("highlight") or {}).get("title") or []
    return SearchHit(
        kind=source["kind"],
        object_id=int(source["object_id"]),
        title=source["title"],
        url=source["url"],
        subtitle=source.get("subtitle") or "",
        highlight=_safe_highlight(highlighted[0]) if highlighted else escape(source["title"]),
        stars=source.get("stars") if in_force else None,
        in_force=in_force,
        buyable=in_force and bool(source.get("in_stock")),
        min_price=source.get("min_price") if in_force else None,
        max_price=source.get("max_price") if in_force else None,
        seller_count=(source.get("seller_count") or 0) if in_force else 0,
        in_stock=in_force and bool(source.get("in_stock")),
        is_demo=bool(source.get("is_demo")),
        card=source.get("card") or {},
        score=float(raw.get("_score") or 0),
    )


def _safe_highlight(fragment: str) -> str:
    """Elasticsearch returns the stored title with <mark> tags around matches, unescaped:
    escape everything, then put the tags back."""
    return escape(fragment).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")


def parse_search(
    response: dict, *, filters: SearchFilters, today: datetime.date, query: str = ""
) -> SearchResults:
    hits = [parse_hit(raw, today=today) for raw in response["hits"]["hits"]]
    total = response["hits"]["total"]
    total = total["value"] if isinstance(total, dict) else int(total)
    return SearchResults(
        hits=hits,
        total=total,
        facets=parse_facets(response.get("aggregations") or {}, filters=filters),
        query=query,
    )


def parse_facets(aggs: dict, *, filters: SearchFilters) -> dict[str, list[FacetValue]]:
    if not aggs:
        return {}

    def buckets(name, nested=False):
        agg = aggs.get(name) or {}
        if nested:
            agg = agg.get("values") or {}
        return {str(b["key"]): b["doc_count"] for b in agg.get("buckets", []) if b["doc_count"]}

    stars = buckets("stars", nested=True)
    provinces = buckets("province")
    categories = buckets("category")
    sets = buckets("set")
    sellers = buckets("seller_type", nested=True)
    price_agg = ((aggs.get("price") or {}).get("values") or {}).get("buckets") or {}
    prices = {key: b["doc_count"] for key, b in price_agg.items() if b["doc_count"]}
    in_stock = (aggs.get("in_stock") or {}).get("doc_count", 0)

    province_names = dict(
        Province.objects.filter(slug__in=list(provinces)).values_list("slug", "name")
    )
    set_objects = {}
    for product_set in (
        ProductSet.objects.select_related("category")
        .filter(number__in=[int(n) for n in sets] or [0])
        .order_by("number", "-framework__in_force_from")
    ):
        set_objects.setdefault(str(product_set.number), product_set)
    category_names = {s.category.slug: localised_name(s.category) for s in set_objects.values()}
    seller_labels = dict(SellerType.choices)
    return {
        "stars": [
            FacetValue(k, "★" * int(k), n, filters.stars == int(k))
            for k, n in sorted(stars.items(), reverse=True)
        ],
        "province": sorted(
            (
                FacetValue(k, province_names.get(k, k), n, filters.province == k)
                for k, n in provinces.items()
            ),
            key=lambda v: (-v.count, v.label),
        ),
        "category": sorted(
            (
                FacetValue(k, category_names.get(k, k), n, filters.category == k)
                for k, n in categories.items()
            ),
            key=lambda v: (-v.count, v.label),
        ),
        "set": [
            FacetValue(
                k,
                f"{k}. {localised_name(set_objects[k])}" if k in set_objects else k,
                n,
                str(filters.product_set) == k,
            )
            for k, n in sorted(sets.items(), key=lambda kv: int(kv[0]))
        ],
        "price": [
            FacetValue(k, price_band_label(k), prices[k], filters.price_band == k)
            for k in PRICE_BANDS
            if k in prices
        ],
        "seller_type": [
            FacetValue(k, str(seller_labels.get(k, k)), n, filters.seller_type == k)
            for k, n in sorted(sellers.items(), key=lambda kv: -kv[1])
        ],
        "in_stock": [FacetValue("1", _("In stock"), in_stock, filters.in_stock)]
        if in_stock
        else [],
    }


def parse_suggest(response: dict) -> list[Suggestion]:
    suggestions = []
    for raw in response["hits"]["hits"]:
        source = raw["_source"]
        highlighted = (raw.get("highlight") or {}).get("title.suggest") or []
        suggestions.append(
            Suggestion(
                kind=source["kind"],
                title=source["title"],
                url=source["url"],
                subtitle=source.get("subtitle") or "",
                highlight=_safe_highlight(highlighted[0])
                if highlighted
                else escape(source["title"]),
            )
        )
    return suggestions


# --- the outbox -------------------------------------------------------------------------------


def _client():
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=REQUEST_TIMEOUT)


def _state() -> SearchIndexState:
    state, _created = SearchIndexState.objects.get_or_create(backend=BACKEND)
    return state


def bulk_operations(documents: list[SearchDocument], missing: list[tuple[str, int]]) -> list:
    province_slugs = dict(
        Province.objects.filter(
            pk__in={d.province_id for d in documents if d.province_id}
        ).values_list("pk", "slug")
    )
    operations: list = []
    for document in documents:
        operations.append({"index": {"_id": document_id(document.kind, document.object_id)}})
        operations.append(
            document_source(document, province_slug=province_slugs.get(document.province_id, ""))
        )
    for kind, object_id in missing:
        operations.append({"delete": {"_id": document_id(kind, object_id)}})
    return operations


def _bulk_errors(response: dict) -> list[str]:
    errors = []
    for item in response.get("items", []):
        ((action, result),) = item.items()
        status = result.get("status", 200)
        if status >= 300 and not (action == "delete" and status == 404):
            errors.append(f"{action} {result.get('_id')}: {result.get('error')}")
    return errors


def outbox_drain(*, client=None, batch: int = BATCH, limit: int | None = None) -> dict:
    """Send waiting changes to the alias, oldest first, ``batch`` at a time. A batch is deleted
    from the outbox only once Elasticsearch has accepted all of it; on a failure the rows stay
    (attempts and the error recorded) and draining stops. Returns ``{"sent", "left", "error"}``.
    Concurrent drains skip each other's rows (``SKIP LOCKED`` on PostgreSQL)."""
    client = client or _client()
    alias = settings.ELASTICSEARCH_INDEX
    sent, error = 0, ""
    while limit is None or sent < limit:
        with transaction.atomic():
            rows = list(
                SearchOutbox.objects.select_for_update(skip_locked=True).order_by("id")[:batch]
            )
            if not rows:
                break
            keys = sorted({(row.kind, row.object_id) for row in rows})
            documents = []
            for kind in {k for k, _ in keys}:
                ids = [object_id for k, object_id in keys if k == kind]
                documents += list(SearchDocument.objects.filter(kind=kind, object_id__in=ids))
            present = {(d.kind, d.object_id) for d in documents}
            missing = [key for key in keys if key not in present]
            try:
                response = client.bulk(
                    index=alias, operations=bulk_operations(documents, missing), refresh=False
                )
                failures = _bulk_errors(dict(response))
                if failures:
                    raise RuntimeError("; ".join(failures[:3]))
            except Exception as exc:  # the server's or the network's: keep the rows
                error = f"{type(exc).__name__}: {exc}"[:2000]
                SearchOutbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                    attempts=F("attempts") + 1, last_error=error
                )
                SearchIndexState.objects.update_or_create(
                    backend=BACKEND, defaults={"last_error": error}
                )
                logger.warning(
                    "Search outbox: %s rows kept, Elasticsearch failed: %s", len(rows), error
                )
                break
            SearchOutbox.objects.filter(pk__in=[row.pk for row in rows]).delete()
            SearchIndexState.objects.update_or_create(
                backend=BACKEND, defaults={"last_update": timezone.now(), "last_error": ""}
            )
            sent += len(rows)
    return {"sent": sent, "left": SearchOutbox.objects.count(), "error": error}


# --- the backend ------------------------------------------------------------------------------


class ElasticsearchBackend:
    name = BACKEND

    def __init__(self, client=None):
        self._client_instance = client
        self._failed_at = 0.0

    @property
    def client(self):
        if self._client_instance is None:
            self._client_instance = _client()
        return self._client_instance

    def documents_changed(self, *, kind: str, ids: list[int]) -> None:
        now = timezone.now()
        SearchOutbox.objects.bulk_create(
            [SearchOutbox(kind=kind, object_id=pk, created_at=now) for pk in ids]
        )
        transaction.on_commit(self._drain_after_commit)

    def _drain_after_commit(self) -> None:
        """Best effort, right after the commit; the command drains whatever this leaves."""
        if time.monotonic() - self._failed_at < RETRY_AFTER_SECONDS:
            return
        try:
            result = outbox_drain(client=self.client, limit=BATCH)
        except Exception:  # never fail the request that committed the change
            logger.exception("Search outbox: draining after commit failed")
            result = {"error": "failed"}
        if result.get("error"):
            self._failed_at = time.monotonic()

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
        understood = " ".join(g.best.phrase for g in parsed.groups if g.best) if parsed else ""
        body = search_body(
            query=query,
            filters=filters,
            kind=kind,
            order=order,
            offset=offset,
            limit=limit,
            today=today,
            facets=facets,
            understood=understood,
        )
        try:
            response = self.client.search(index=settings.ELASTICSEARCH_INDEX, body=body)
        except Exception:  # down or slow: the database documents answer the same contract
            logger.exception("Elasticsearch search failed; answered from the database")
            return self._fallback().search(
                query=query, filters=filters, kind=kind, order=order, offset=offset,
                limit=limit, facets=facets, today=today,
            )  # fmt: skip
        results = parse_search(dict(response), filters=filters, today=today, query=query)
        if parsed is not None:
            results.corrected = parsed.corrected if results.total else ""
            if not results.total:
                results.did_you_mean = parsed.did_you_mean
        return results

    def suggest(
        self, *, prefix: str, limit: int = 8, today: datetime.date | None = None
    ) -> list[Suggestion]:
        today = today or timezone.localdate()
        if len("".join(tokens(prefix))) < 2:
            return []
        try:
            response = self.client.search(
                index=settings.ELASTICSEARCH_INDEX,
                body=suggest_body(prefix=prefix, today=today, limit=limit),
            )
        except Exception:
            logger.exception("Elasticsearch suggest failed; answered from the database")
            return self._fallback().suggest(prefix=prefix, limit=limit, today=today)
        return parse_suggest(dict(response))

    @staticmethod
    def _fallback():
        from search.backends.database import DatabaseBackend

        return DatabaseBackend()

    def product_ids(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        today: datetime.date | None = None,
        ranked: bool = True,
    ) -> list[int]:
        results = self.search(
            query=query,
            filters=filters or SearchFilters(status=STATUS_ANY),
            offset=0,
            limit=1000,
            facets=False,
            today=today,
        )
        return [hit.object_id for hit in results.hits]

    def health(self) -> IndexHealth:
        counts = dict(SearchDocument.objects.order_by().values_list("kind").annotate(n=Count("id")))
        pending = SearchOutbox.objects.aggregate(
            n=Count("id"), oldest=Min("created_at"), error=Max("last_error")
        )
        state = SearchIndexState.objects.filter(backend=BACKEND).first()
        detail = {"alias": settings.ELASTICSEARCH_INDEX}
        try:
            detail["indexed"] = self.client.count(index=settings.ELASTICSEARCH_INDEX)["count"]
        except Exception as exc:  # the page says so instead of failing
            detail["server"] = f"{type(exc).__name__}: {exc}"[:300]
        if state and state.index_name:
            detail["index"] = state.index_name
        return IndexHealth(
            backend=self.name,
            documents={t.kind: counts.get(t.kind, 0) for t in document_types()},
            backlog=pending["n"],
            oldest_pending=pending["oldest"],
            last_update=state.last_update if state else None,
            last_error=(state.last_error if state else "") or pending["error"] or "",
            detail=detail,
        )

    # Rebuild ------------------------------------------------------------------------------

    def rebuild(self, *, progress=None) -> str:
        """Fill a new versioned index from the database documents, swap the alias to it in one
        call, drop the old indices; returns the new index's name. Changes committed while it
        fills are sent again after the swap (documents updated since the start)."""
        client = self.client
        alias = settings.ELASTICSEARCH_INDEX
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        index_definition(name).create(using=client)
        started = timezone.now()
        self._fill(client, name, SearchDocument.objects.all(), progress=progress)
        old = (
            list(client.indices.get_alias(name=alias).keys())
            if client.indices.exists_alias(name=alias)
            else []
        )
        actions = [{"remove": {"index": index, "alias": alias}} for index in old]
        actions.append({"add": {"index": name, "alias": alias}})
        client.indices.update_aliases(actions=actions)
        self._fill(client, name, SearchDocument.objects.filter(updated_at__gte=started))
        for index in old:
            client.indices.delete(index=index)
        SearchIndexState.objects.update_or_create(
            backend=BACKEND,
            defaults={
                "index_name": name,
                "last_rebuild": timezone.now(),
                "last_update": timezone.now(),
                "last_error": "",
            },
        )
        return name

    def _fill(self, client, index_name, documents, *, progress=None) -> int:
        total = documents.count()
        done = 0
        started = time.monotonic()
        batch: list[SearchDocument] = []
        for document in documents.order_by("id").iterator(chunk_size=BATCH):
            batch.append(document)
            if len(batch) == BATCH:
                done += self._send(client, index_name, batch)
                batch = []
                if progress:
                    progress("elasticsearch", done, total, time.monotonic() - started)
        if batch:
            done += self._send(client, index_name, batch)
        if progress:
            progress("elasticsearch", done, total, time.monotonic() - started)
        client.indices.refresh(index=index_name)
        return done

    def _send(self, client, index_name, documents) -> int:
        response = client.bulk(index=index_name, operations=bulk_operations(documents, []))
        failures = _bulk_errors(dict(response))
        if failures:
            raise RuntimeError("; ".join(failures[:3]))
        return len(documents)
