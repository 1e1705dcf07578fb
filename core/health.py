"""Liveness and readiness for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

Both are answered by ``HealthCheckMiddleware``, the first middleware, before host validation,
the HTTPS redirect, sessions or the request log: a probe comes over plain HTTP from an address
that is not one of ``ALLOWED_HOSTS``, several times a minute, and must cost next to nothing.

- ``/healthz``: the process answers. No database, no cache: a database outage must not make the
  orchestrator restart every healthy web process.
- ``/readyz``: this process can serve: the database answers, every configured cache answers,
  the broker answers when one is configured (``CELERY_BROKER_URL``), and every migration on
  disk is applied. 200 or 503, with a JSON body naming each check and which failed. Errors
  are reported by class name only (the body is public); the details go to the log.
"""

from __future__ import annotations

import logging
import socket
import urllib.parse
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("marketplace.health")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
PROBE_TIMEOUT_SECONDS = 2.0
_PROBE_KEY = "core.health.probe"


def _check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_caches() -> None:
    for alias in settings.CACHES:
        cache = caches[alias]
        cache.set(_PROBE_KEY, 1, timeout=10)
        if cache.get(_PROBE_KEY) != 1:
            raise RuntimeError(f"cache {alias!r} did not keep a value")


def _check_broker() -> None:
    url = urllib.parse.urlsplit(settings.CELERY_BROKER_URL)
    if url.scheme in {"redis", "rediss"}:
        import redis

        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    # Any other broker (amqp://…): its port accepts a connection.
    default_port = {"amqp": 5672, "amqps": 5671}.get(url.scheme, 0)
    port = url.port or default_port
    if not url.hostname or not port:
        raise ValueError(f"cannot probe a {url.scheme!r} broker URL")
    with socket.create_connection((url.hostname, port), timeout=PROBE_TIMEOUT_SECONDS):
        pass


@cache
def _expected_migrations() -> tuple[frozenset[tuple[str, str]], dict]:
    """Every migration on disk (a leaf of the graph or not), and what squashed ones replace.
    Read once per process: the files do not change under a running process."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes), dict(loader.replacements)


def _check_migrations() -> None:
    from django.db.migrations.recorder import MigrationRecorder

    expected, replacements = _expected_migrations()
    # One query on django_migrations (no table yet: the query fails, so does the check).
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    applied = set(recorder.migration_qs.values_list("app", "name"))
    missing = [
        key
        for key in expected
        if key not in applied
        and not (key in replacements and all(r in applied for r in replacements[key].replaces))
    ]
    if missing:
        raise RuntimeError(f"{len(missing)} migrations not applied, e.g. {sorted(missing)[0]}")


def readiness_checks() -> dict[str, Callable[[], None]]:
    """The checks ``/readyz`` runs, in order, by name."""
    checks = {"database": _check_database, "cache": _check_caches}
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    # memory:// is development's in-process stand-in (tasks run eagerly): nothing to reach.
    if broker and not broker.startswith("memory://"):
        checks["broker"] = _check_broker
    checks["migrations"] = _check_migrations
    return checks


def readiness_report() -> tuple[bool, dict[str, str]]:
    """(ready, {check name: "ok" | "failed: ErrorClass" | "skipped"})."""
    results: dict[str, str] = {}
    database_ok = True
    for name, check in readiness_checks().items():
        if name == "migrations" and not database_ok:
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as error:
            logger.warning("readiness check %s failed: %r", name, error)
            results[name] = f"failed: {type(error).__name__}"
            database_ok = database_ok and name != "database"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def _probe_response(body: dict, status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` (GET or HEAD) before any other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in (HEALTH_PATH, READY_PATH) or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if path == HEALTH_PATH:
            return _probe_response({"status": "ok"}, 200)
        ready, checks = readiness_report()
        failed = [name for name, result in checks.items() if result.startswith("failed")]
        body = {"status": "ok" if ready else "unavailable", "checks": checks}
        if failed:
            body["failed"] = failed
        return _probe_response(body, 200 if ready else 503)
