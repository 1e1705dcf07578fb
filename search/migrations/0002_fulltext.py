"""The full-text indexes of the search documents, for the engine in use.

PostgreSQL: the ``unaccent`` and ``pg_trgm`` extensions; a text search configuration
``ocop_folded`` (the ``simple`` parser and dictionary, after ``unaccent`` so that text which
reaches it with diacritics still folds, đ included); a stored generated ``vector`` column over
the documents' folded text with a GIN index; a trigram GIN index on the folded titles.
Creating the extensions needs a role allowed to (see README, *Search*); with them already
created by an administrator, ``IF NOT EXISTS`` makes this a no-op for them.

SQLite: an FTS5 table ``search_fts`` whose rowid is the document id.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ocop_folded",
    "CREATE TEXT SEARCH CONFIGURATION ocop_folded (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION ocop_folded "
    "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part "
    "WITH unaccent, simple",
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('ocop_folded'::regconfig, text)) STORED",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_document_title_trgm ON search_searchdocument "
    "USING gin (title_text gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_title_trgm",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ocop_folded",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
