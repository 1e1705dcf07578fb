"""The index: its definition (analysers, synonyms, edge n-grams, facet keywords) and the
source of each document in it."""

from __future__ import annotations

import logging

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

from search.models import SearchDocument
from search.text import synonym_groups

logger = logging.getLogger(__name__)

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
