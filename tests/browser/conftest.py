"""The browser suite: Playwright for Python driving Debian's Chromium against a live server.

One threaded live server per pytest session (per xdist worker), over that worker's test
database, loaded once with the demo catalogue and shop (``load_demo``, ``load_demo_shop``): the
pages show what a newcomer sees. The data is committed, not rolled back per test — each flow
makes its own cart and orders, so flows do not depend on one another. Absolute links take the
live server's origin (``SITE_URL`` empty: ``core.site``).

Chromium is Debian's ``/usr/bin/chromium`` (``CHROMIUM`` overrides it), never a browser that
Playwright downloads. Without it the suite is skipped, saying why — unless
``BROWSER_REQUIRED=1`` (set by ``.ci/run``), when a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest

from tests.browser.support import BrowserChecks

# Playwright's synchronous API runs an event loop in this thread; Django refuses database calls
# from a thread with a running loop unless told that this one is safe (it is: one call at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file rather than in memory. Playwright's synchronous API
    keeps an event loop in this thread, so Django's per-context connections differ between the
    test code and the server's threads; an in-memory database would be a different, empty one
    for each of them."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, created for the session and kept (no per-test flush: the demo
    catalogue loads once). pytest-django would create it only for tests marked ``django_db``,
    whose per-test flush would empty it."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        _close_other_sessions()
        teardown_databases(config, verbosity=0)


def _close_other_sessions() -> None:
    """The server's threads may still hold connections when the session ends; PostgreSQL will
    not drop a database in use."""
    from django.db import connection, connections

    connections.close_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(scope="session")
def browser(site):
    missing = _chromium_missing()
    if missing:
        if os.environ.get("BROWSER_REQUIRED") == "1":
            pytest.fail(f"Browser suite required (BROWSER_REQUIRED=1) but {missing}.")
        pytest.skip(f"Browser suite skipped: {missing}.")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture(scope="session")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The live server's origin, over the demo shop."""
    from django.conf import settings
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # The live server runs with DEBUG off; the demo's illustrations and uploaded photos must
    # load all the same (core.media), or every page with a picture has failed requests.
    settings.SERVE_MEDIA = True
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())
        call_command("load_demo_shop", stdout=StringIO())
    server = LiveServer("127.0.0.1:0")
    server._live_server_modified_settings.enable()
    try:
        yield server.url
    finally:
        server._live_server_modified_settings.disable()
        server.stop()


@pytest.fixture(autouse=True)
def _browser_settings(_test_settings, settings, django_db_blocker):
    from django.db import connections

    # Links in pages and e-mails take the live server's origin, as in development.
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    with django_db_blocker.unblock():
        yield
        connections.close_all()


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def open_context(site, browser, request, tmp_path_factory):
    """``open_context(viewport, language)`` → a fresh browser context (no cookies: a new
    visitor) whose pages are checked on every visit; closed at the end of the test."""
    contexts = []
    artifacts = Path(
        os.environ.get("BROWSER_ARTIFACTS") or tmp_path_factory.mktemp("browser-artifacts")
    )

    def make(viewport: str = "phone", language: str = "vi") -> BrowserChecks:
        size = PHONE if viewport == "phone" else DESKTOP
        context = browser.new_context(
            viewport=size,
            locale="vi-VN" if language == "vi" else "en-US",
            base_url=site,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
        )
        context.set_default_timeout(15_000)
        if language != "vi":
            context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        contexts.append(context)
        return BrowserChecks(
            context=context,
            site=site,
            phone=viewport == "phone",
            artifacts=artifacts,
            name=f"{request.node.name}-{len(contexts)}",
        )

    yield make
    for context in contexts:
        context.close()
