"""The narrow match rows (``search.models.SearchMatch``): what matching, ranking and facet
counts read, filled from the documents already indexed (one INSERT … SELECT, so that no rebuild
is needed). On PostgreSQL the full-text ``vector`` and the trigram index on the folded titles
move from the documents to the match rows: the vector is the same tsvector, of the five folded
fields concatenated, which is the documents' ``text`` with the same words in the same order."""

import django.db.models.deletion
from django.db import migrations, models

MATCH_COLUMNS = (
    "id, kind, object_id, title_text, holder_text, place_text, category_text, body_text, "
    "sort_name, province_id, product_set_number, category_slug, holder_id, stars, "
    "certificate_valid_until, latest_status, latest_valid_from, latest_valid_until, min_price, "
    "seller_types, in_stock"
)
FILL = (
    f"INSERT INTO search_searchmatch ({MATCH_COLUMNS}) "
    f"SELECT {MATCH_COLUMNS} FROM search_searchdocument"
)
POSTGRES_FORWARD = [
    "ALTER TABLE search_searchmatch ADD COLUMN vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('ocop_folded'::regconfig, "
    "title_text || holder_text || place_text || category_text || body_text)) STORED",
    "CREATE INDEX search_match_vector ON search_searchmatch USING gin (vector)",
    "CREATE INDEX search_match_title_trgm ON search_searchmatch "
    "USING gin (title_text gin_trgm_ops)",
    FILL,
    "DROP INDEX IF EXISTS search_document_title_trgm",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('ocop_folded'::regconfig, text)) STORED",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_document_title_trgm ON search_searchdocument "
    "USING gin (title_text gin_trgm_ops)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def forward(apps, schema_editor):
    _run({"postgresql": POSTGRES_FORWARD, "sqlite": [FILL]})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("search", "0003_prefix"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchMatch",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="search.searchdocument",
                    ),
                ),
                ("kind", models.CharField(max_length=32)),
                ("object_id", models.BigIntegerField()),
                ("title_text", models.TextField(blank=True)),
                ("holder_text", models.TextField(blank=True)),
                ("place_text", models.TextField(blank=True)),
                ("category_text", models.TextField(blank=True)),
                ("body_text", models.TextField(blank=True)),
                ("sort_name", models.CharField(blank=True, max_length=255)),
                ("product_set_number", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("category_slug", models.CharField(blank=True, max_length=120)),
                ("holder_id", models.BigIntegerField(blank=True, null=True)),
                ("stars", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("certificate_valid_until", models.DateField(blank=True, null=True)),
                ("latest_status", models.CharField(blank=True, max_length=16)),
                ("latest_valid_from", models.DateField(blank=True, null=True)),
                ("latest_valid_until", models.DateField(blank=True, null=True)),
                ("min_price", models.BigIntegerField(blank=True, null=True)),
                ("seller_types", models.CharField(blank=True, max_length=200)),
                ("in_stock", models.BooleanField(default=False)),
                (
                    "province",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.province",
                    ),
                ),
            ],
            options={
                "verbose_name": "search match row",
                "verbose_name_plural": "search match rows",
                "indexes": [
                    models.Index(
                        fields=["kind", "certificate_valid_until"],
                        name="search_match_kind_valid",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="unique_search_match"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, _run({"postgresql": POSTGRES_BACKWARD})),
    ]
