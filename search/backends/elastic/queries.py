"""Query bodies as plain data (``search_body``, ``suggest_body``), tested without a server."""

from __future__ import annotations

import datetime
import logging

from core.search import (
    PRODUCT,
    STATUS_ANY,
    STATUS_EXPIRED,
    STATUS_IN_FORCE,
    STATUS_REVOKED,
    SearchFilters,
)
from search.documents import PRICE_BANDS
from search.text import tokens

logger = logging.getLogger(__name__)

FIELD_BOOSTS = ("title^10", "holder^6", "place^5", "category^3", "body^2")


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
