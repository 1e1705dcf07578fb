"""Word beginnings of the documents' titles for suggestions (``search.models.SearchPrefix``),
filled from the documents already indexed so that suggestions need no rebuild."""

import django.db.models.deletion
from django.db import migrations, models

from search.indexer import PREFIX_SOURCE_FIELDS, prefix_row_order, prefix_rows


def fill(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchPrefix = apps.get_model("search", "SearchPrefix")
    documents = SearchDocument.objects.order_by("pk").values("pk", "kind", *PREFIX_SOURCE_FIELDS)
    batch = []
    for document in documents.iterator(chunk_size=2000):
        batch += prefix_rows(document_id=document["pk"], kind=document["kind"], fields=document)
        if len(batch) >= 10_000:
            SearchPrefix.objects.bulk_create(
                [SearchPrefix(**row) for row in sorted(batch, key=prefix_row_order)]
            )
            batch = []
    SearchPrefix.objects.bulk_create(
        [SearchPrefix(**row) for row in sorted(batch, key=prefix_row_order)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchPrefix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("prefix", models.CharField(max_length=24)),
                ("product", models.BooleanField(default=False)),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("tier", models.PositiveSmallIntegerField(default=0)),
                ("sort_name", models.CharField(blank=True, max_length=255)),
                ("title_text", models.TextField(blank=True)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="search.searchdocument",
                    ),
                ),
            ],
            options={
                "verbose_name": "search prefix",
                "verbose_name_plural": "search prefixes",
                "indexes": [
                    models.Index(
                        fields=["prefix", "-tier", "sort_name", "document"],
                        name="search_prefix_order",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
