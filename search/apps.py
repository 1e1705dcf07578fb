from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Lower packages announce their writes through core.search; this is where search
        # starts listening. Importing the indexer registers the document types too.
        from core.search import search_listener_register
        from search.indexer import rows_changed

        search_listener_register(rows_changed)
