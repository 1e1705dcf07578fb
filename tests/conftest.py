from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.catalogue_cache import catalogue_local_clear


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the tests write (uploads, the demo's illustrations) go to a temporary MEDIA_ROOT,
    never the repository's media/ directory."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # Background jobs' private files (core.storage) likewise.
    settings.JOB_FILES_ROOT = tmp_path_factory.mktemp("job-files")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.LANGUAGE_CODE = "vi"
    # One origin for links made inside and outside a request (the test client's host is
    # "testserver"); tests of the development fallback (core.site) and the browser suite clear it.
    settings.SITE_URL = "http://127.0.0.1:8000"
    # PBKDF2 is deliberately slow; hashing every factory user with it made the suite crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No map tiles: the suite (the browser's too) never reaches the network.
    settings.POINTS_MAP_TILES_URL = ""
    # Entries are keyed by the catalogue version, which only changes on commit: a test that
    # wrote nothing would otherwise read what an earlier test with other settings stored.
    caches["catalogue"].clear()
    catalogue_local_clear()
    # Rate-limit counters live in the default cache: one test's wrong PINs or sign-ins from
    # 127.0.0.1 must not block the next test's client.
    caches["default"].clear()


class QueryCounter:
    """``with django_queries(7): ...`` asserts exactly that many SQL queries ran."""

    def __call__(self, expected: int):
        return _Exact(expected)


class _Exact(CaptureQueriesContext):
    def __init__(self, expected: int):
        super().__init__(connection)
        self.expected = expected

    def __exit__(self, exc_type, exc, tb):
        super().__exit__(exc_type, exc, tb)
        if exc_type is None:
            executed = len(self.captured_queries)
            if executed != self.expected:
                listing = "\n".join(
                    f"{i}. {q['sql']}" for i, q in enumerate(self.captured_queries, start=1)
                )
                raise AssertionError(
                    f"{executed} SQL queries ran, expected {self.expected}:\n{listing}"
                )


@pytest.fixture
def django_queries():
    return QueryCounter()


BROWSER_SUITE = Path(__file__).parent / "browser"


def pytest_ignore_collect(collection_path, config):
    """The browser suite runs only when named (``pytest tests/browser``): the plain run stays
    fast, and CI runs the browser suite as its own step."""
    if collection_path == BROWSER_SUITE:
        named = [Path(arg.split("::")[0]).resolve() for arg in config.args]
        if not any(path == BROWSER_SUITE or BROWSER_SUITE in path.parents for path in named):
            return True
    return None


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
