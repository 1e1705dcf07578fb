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

The package: ``index`` (definition, document sources), ``queries`` (bodies), ``answers``
(parsing), ``outbox`` (feeding the index) and ``backend`` (``ElasticsearchBackend``).
"""

from search.backends.elastic.answers import parse_facets, parse_hit, parse_search, parse_suggest
from search.backends.elastic.backend import ElasticsearchBackend
from search.backends.elastic.index import document_id, document_source, index_definition
from search.backends.elastic.outbox import bulk_operations, outbox_drain
from search.backends.elastic.queries import (
    aggregations,
    filter_clauses,
    search_body,
    suggest_body,
    text_query,
)

__all__ = [
    "ElasticsearchBackend",
    "aggregations",
    "bulk_operations",
    "document_id",
    "document_source",
    "filter_clauses",
    "index_definition",
    "outbox_drain",
    "parse_facets",
    "parse_hit",
    "parse_search",
    "parse_suggest",
    "search_body",
    "suggest_body",
    "text_query",
]
