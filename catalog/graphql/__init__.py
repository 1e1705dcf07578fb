"""GraphQL of the OCOP registry: products, certificates and their scoring records.

``enums``, ``types``, ``shaping`` (selection → queryset, and the products connection),
``queries``, ``mutations`` (product content, for the holder's people) and ``extensions`` (what
catalog adds to sellers' ``Business``: ``products``). ``ProductType`` is the base of the
schema's ``Product``, which ``api.types`` composes with the fields marketplace adds.

Constant SQL. Every entry point (the ``products`` connection, ``Business.products``,
``product``, ``certificate``, ``node``) shapes its queryset from what the query selected: joins
(``select_related``) for to-one relations and one ``prefetch_related`` query per to-many relation
(variants, the certificate in force, all certificates, evaluation history, part scores, chosen
options). A page of 1 or 100 products therefore costs the same number of queries, and a relation
nobody selected costs nothing. Resolvers read the prefetched data and fall back to a selector only
when a product is reached some other way.

Scores (totals, part scores, criterion points) are Floats rounded to two decimals: they are
measurements a client charts and compares, not money.
"""
