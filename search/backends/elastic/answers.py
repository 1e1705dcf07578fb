"""Answers parsed from plain data (hits, facets, suggestions), tested against recorded
responses."""

from __future__ import annotations

import datetime
import logging

from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.models import ProductSet
from core.models import Province
from core.search import (
    FacetValue,
    SearchFilters,
    SearchHit,
    SearchResults,
    Suggestion,
)
from search.documents import PRICE_BANDS, localised_name, price_band_label
from sellers.models import SellerType

logger = logging.getLogger(__name__)

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
