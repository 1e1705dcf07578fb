"""Rebuild the search index: the database documents (every registered kind) and, with
``--backend elasticsearch`` (or when it is the configured backend), a new Elasticsearch index
swapped in behind the alias. Prints a progress bar with the rate."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.search import search_backend
from search.documents import document_types
from search.indexer import index_rebuild

BAR = 30


class Command(BaseCommand):
    help = "Rebuild the search documents and, for Elasticsearch, a new index behind the alias."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend",
            choices=sorted(settings.SEARCH_BACKENDS),
            default=settings.SEARCH_BACKEND,
            help="Which backend to rebuild (default: SEARCH_BACKEND).",
        )
        parser.add_argument(
            "--kind",
            action="append",
            choices=[t.kind for t in document_types()],
            help="Only these document kinds (database documents; repeat for several).",
        )
        parser.add_argument(
            "--skip-documents",
            action="store_true",
            help="Elasticsearch only: send the database documents as they are, without "
            "rebuilding them first.",
        )

    def _progress(self, label, done, total, seconds):
        filled = BAR * done // total if total else BAR
        rate = done / seconds if seconds > 0 else 0.0
        line = (
            f"\r{label:<14} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} · {rate:,.0f}/s"
        )
        self.stdout.write(line, ending="")
        if done >= total:
            self.stdout.write("")
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()

    def handle(self, *args, backend, kind, skip_documents, **options):
        if not (backend == "elasticsearch" and skip_documents):
            counts = index_rebuild(kinds=kind, progress=self._progress)
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count} documents")
        if backend == "elasticsearch":
            if not settings.ELASTICSEARCH_URL:
                raise CommandError("ELASTICSEARCH_URL is not set.")
            name = search_backend("elasticsearch").rebuild(progress=self._progress)
            self.stdout.write(f"Elasticsearch: alias {settings.ELASTICSEARCH_INDEX} → {name}")
        sys.stdout.flush()
