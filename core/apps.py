from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _watch(sender, connection, **kwargs):
    from core.catalogue_cache import install_write_watch

    install_write_watch(connection=connection)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Administrative units")

    def ready(self):
        from core import catalogue_cache
        from core.search import search_listener_register
        from core.statements import statement_memory_widen

        # Wiring only: the cache module decides what a write is and what it invalidates.
        connection_created.connect(_watch, dispatch_uid="core.catalogue_cache.watch")
        pre_migrate.connect(catalogue_cache.pause_during_migrate, sender=self)
        post_migrate.connect(catalogue_cache.resume_after_migrate, sender=self)
        # Announced rows narrow a transaction's bump to the scopes they touch.
        search_listener_register(catalogue_cache.rows_changed)
        statement_memory_widen()
