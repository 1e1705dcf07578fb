"""The database backend (the default): documents in ``search.SearchDocument``, searched with
PostgreSQL full-text search or SQLite FTS5, ranked the same way on both.

A query costs a fixed number of SQL statements whatever the page size: the vocabulary lookup
(spelling, ``search.query``), one grouped count of the matches by facet value (the total is
their sum), the facet labels (provinces, product sets), and the page of documents. Pages are
served from the documents alone — they carry the card.

Matching: each word group of the query must be found (any of its alternatives) through the
engine's full-text index — ``vector @@ to_tsquery('ocop_folded', …)`` on PostgreSQL (a stored
tsvector with a GIN index), ``search_fts MATCH …`` on SQLite. When that finds nothing, any
group will do by a word the buyer typed (not by a spelling correction alone), ranked by how
much matched. pg_trgm helps where the vocabulary cannot: a "did
you mean" from the nearest title and suggestions for a mistyped prefix (PostgreSQL only).

Ranking (``_relevance``) is one SQL expression over the folded fields, so SQLite and
PostgreSQL order alike: per group the best of (alternative weight × field weight) — the name
counts most, then the holder, the place, the product set and the description — plus a bonus
when the whole query stands as a phrase in the name (or holder, or place) and for adjacent word
pairs, so "gio lua" ranks Giò lụa above a product with "giò" and "lụa" far apart. Ties are then
broken by what can be bought now (a certificate in force today and stock), the stars of that
certificate, and the name.

The package: ``matching`` (the SQL expressions: in force, status, price bands, full-text
matching, relevance) and ``backend`` (``DatabaseBackend``).
"""

from search.backends.database.backend import DatabaseBackend
from search.backends.database.matching import fts_expression, highlight, in_force_q

__all__ = ["DatabaseBackend", "fts_expression", "highlight", "in_force_q"]
