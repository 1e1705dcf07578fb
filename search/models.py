"""The search index in the database: one document per searchable object, the vocabulary that
spelling correction looks words up in, and the outbox that carries changes to Elasticsearch.

A document is written in the same transaction as the change it reflects
(``core.search.search_rows_changed`` → ``search.indexer``). A product document is the
product's public card — name, holder, province, the certificate in force (stars and validity),
price range, sellers, stock, photo — so a listing can be served from documents alone.

Validity is kept as a date, not as a flag: whether the certificate is in force, and so whether
the product can be bought, is decided when the index is read (``valid_until >= today``), and a
certificate that lapses at midnight stops being buyable in results at once, with no write.

Matching, ranking and facet counts never read the document rows: they read ``SearchMatch``,
one narrow row per document (its folded fields and the columns results are filtered, ranked and
counted by, without the card, titles, address and the duplicate ``text``); only the page's
documents are fetched. PostgreSQL has a stored ``vector`` on the match rows (tsvector of the
folded fields under the ``ocop_folded`` configuration) with a GIN index, and a trigram index on
their ``title_text``; SQLite has the FTS5 table ``search_fts`` (rowid = document id). Both are
created by the migrations (``0002_fulltext``, moved to the match rows by ``0004_match``) for
their own engine only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.BigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=255)
    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    url = models.CharField(_("address"), max_length=500)
    # Folded tokens padded with spaces (" gio lua mong cai "), one field per weight: a word or
    # phrase is matched with a substring test on any database.
    title_text = models.TextField(blank=True)
    holder_text = models.TextField(blank=True)
    place_text = models.TextField(blank=True)
    category_text = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    # All of the above: what the full-text index covers.
    text = models.TextField(blank=True)
    sort_name = models.CharField(max_length=255, blank=True)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    product_set_number = models.PositiveSmallIntegerField(null=True, blank=True)
    category_slug = models.CharField(max_length=120, blank=True)
    holder_id = models.BigIntegerField(null=True, blank=True)
    # The certificate in force when the document was written: its stars and last valid day.
    stars = models.PositiveSmallIntegerField(null=True, blank=True)
    certificate_valid_from = models.DateField(null=True, blank=True)
    certificate_valid_until = models.DateField(null=True, blank=True)
    # The latest certificate (the registry lookup filters expired and revoked ones on it).
    latest_status = models.CharField(max_length=16, blank=True)
    latest_valid_from = models.DateField(null=True, blank=True)
    latest_valid_until = models.DateField(null=True, blank=True)
    # Visible offers (only while the certificate above is in force).
    min_price = models.BigIntegerField(null=True, blank=True)
    max_price = models.BigIntegerField(null=True, blank=True)
    seller_count = models.PositiveIntegerField(default=0)
    seller_types = models.CharField(max_length=200, blank=True)  # " producer ocop_centre "
    in_stock = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    card = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document")
        ]
        indexes = [
            models.Index(fields=["kind", "certificate_valid_until"]),
            models.Index(fields=["kind", "sort_name"]),
            models.Index(fields=["updated_at"]),
        ]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchMatch(models.Model):
    """What matching, ranking and facet counts read of a document: its folded fields and the
    columns results are filtered, ranked and counted by — a third of the document's width, so
    that a broad query ("che", thousands of matches) reads few table pages; the page's
    documents are fetched afterwards by id. Its primary key is the document's id (column
    ``id``), which is also the FTS5 rowid on SQLite.

    Written with the document and from the same fields (``search.indexer``), removed with it
    (cascade). PostgreSQL adds the full-text ``vector`` (``0004_match``)."""

    document = models.OneToOneField(
        SearchDocument,
        on_delete=models.CASCADE,
        primary_key=True,
        db_column="id",
        related_name="+",
    )
    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title_text = models.TextField(blank=True)
    holder_text = models.TextField(blank=True)
    place_text = models.TextField(blank=True)
    category_text = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    sort_name = models.CharField(max_length=255, blank=True)
    province = models.ForeignKey(
        "core.Province", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    product_set_number = models.PositiveSmallIntegerField(null=True, blank=True)
    category_slug = models.CharField(max_length=120, blank=True)
    holder_id = models.BigIntegerField(null=True, blank=True)
    stars = models.PositiveSmallIntegerField(null=True, blank=True)
    certificate_valid_until = models.DateField(null=True, blank=True)
    latest_status = models.CharField(max_length=16, blank=True)
    latest_valid_from = models.DateField(null=True, blank=True)
    latest_valid_until = models.DateField(null=True, blank=True)
    min_price = models.BigIntegerField(null=True, blank=True)
    seller_types = models.CharField(max_length=200, blank=True)
    in_stock = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_match")
        ]
        indexes = [
            models.Index(fields=["kind", "certificate_valid_until"], name="search_match_kind_valid")
        ]
        verbose_name = _("search match row")
        verbose_name_plural = _("search match rows")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


# The match row's columns copied from the document's fields (the key columns aside).
MATCH_FIELDS = [
    f.attname
    for f in SearchMatch._meta.concrete_fields
    if f.attname not in ("document_id", "kind", "object_id")
]


class SearchPrefix(models.Model):
    """A beginning of a word of a document's title, for suggestions as a buyer types: one row
    per (prefix, document), with the order suggestions are shown in, so that a prefix reads a
    few entries of one index instead of every wide document whose title has such a word.

    Written with the document (``search.indexer``), removed with it (cascade). ``tier`` is the
    order a suggestion takes among those that share its title score: products before other
    kinds, then, among products, in stock and more stars — read as they are while the
    certificate is in force, which is the only time a product is suggested
    (``valid_until``, checked when read). Other kinds carry no certificate: tier 0."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=24)
    product = models.BooleanField(default=False)
    valid_until = models.DateField(null=True, blank=True)
    tier = models.PositiveSmallIntegerField(default=0)
    sort_name = models.CharField(max_length=255, blank=True)
    # The document's folded title (" gio lua mong cai "): what the complete words typed before
    # the prefix are looked for in, without reading the document.
    title_text = models.TextField(blank=True)

    class Meta:
        indexes = [
            # A prefix's rows in the order they are suggested: the first few are the answer.
            models.Index(
                fields=["prefix", "-tier", "sort_name", "document"], name="search_prefix_order"
            )
        ]
        verbose_name = _("search prefix")
        verbose_name_plural = _("search prefixes")

    def __str__(self) -> str:
        return f"{self.prefix} → {self.document_id}"


class SearchTerm(models.Model):
    """A word of the vocabulary under one of its variants (itself, or with one letter left
    out; ``search.text``). Rows are only added as documents are written; a rebuild drops the
    words no document uses any more."""

    variant = models.CharField(max_length=64)
    term = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "term"], name="unique_search_term_variant")
        ]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return f"{self.variant} → {self.term}"


class SearchOutbox(models.Model):
    """A document change still to be sent to Elasticsearch. Written in the transaction that
    changed the document, deleted once Elasticsearch has it: while Elasticsearch is down or
    slow, changes wait here and nothing is lost. Whether the document is indexed or deleted is
    decided when it is sent, from the document table as it is then."""

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(_("created"))
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("search outbox entry")
        verbose_name_plural = _("search outbox")

    def __str__(self) -> str:
        return f"{self.action} {self.kind}:{self.object_id}"


class SearchIndexState(models.Model):
    """Per backend: which Elasticsearch index the alias points at and when the index last took
    a change, for the health page."""

    backend = models.CharField(max_length=32, primary_key=True)
    index_name = models.CharField(max_length=200, blank=True)
    last_update = models.DateTimeField(null=True, blank=True)
    last_rebuild = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index states")

    def __str__(self) -> str:
        return self.backend
