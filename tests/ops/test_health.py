"""/healthz (the process answers) and /readyz (database, caches, broker, migrations)."""

import json

import pytest
from django.test import override_settings

from core import health

# A local port nothing listens on: connections are refused at once, no network involved.
CLOSED = "127.0.0.1:9"


def body(response) -> dict:
    return json.loads(response.content)


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_queries):
    with django_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_ok_runs_two_queries(client, django_queries):
    health._expected_migrations()  # read once per process, from disk
    with django_queries(2):  # SELECT 1, then django_migrations
        response = client.get("/readyz")
    assert response.status_code == 200
    assert body(response) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_probes_answer_any_host_over_plain_http_even_in_production_mode(client, settings):
    # Load balancers probe an address, over HTTP: no DisallowedHost, no HTTPS redirect.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["shop.example"]
    for path in ("/healthz", "/readyz", "/healthz/"):
        response = client.get(path, HTTP_HOST="10.0.3.7")
        assert response.status_code == 200, path
    assert client.head("/readyz", HTTP_HOST="10.0.3.7").status_code == 200
    # Only the probes skip the checks.
    assert client.get("/", HTTP_HOST="10.0.3.7").status_code == 400


@pytest.mark.django_db
def test_readyz_reports_a_database_that_does_not_answer(client, monkeypatch):
    def refuse():
        raise ConnectionRefusedError("connection refused on 10.0.0.9")

    monkeypatch.setitem(health.readiness_checks.__globals__, "_check_database", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response) == {
        "status": "unavailable",
        "checks": {
            "database": "failed: ConnectionRefusedError",
            "cache": "ok",
            "migrations": "skipped",
        },
        "failed": ["database"],
    }
    assert "10.0.0.9" not in response.content.decode()  # details go to the log only


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_cache(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED}/0",
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"]["cache"] == "failed: ConnectionError"
    assert body(response)["failed"] == ["cache"]


@pytest.mark.django_db
def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    expected, replacements = health._expected_migrations()
    monkeypatch.setattr(
        health,
        "_expected_migrations",
        lambda: (expected | {("core", "9999_not_yet_applied")}, replacements),
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"]["migrations"] == "failed: RuntimeError"
    assert body(response)["failed"] == ["migrations"]


@pytest.mark.django_db
def test_readyz_checks_a_configured_broker(client, settings):
    settings.CELERY_BROKER_URL = f"redis://{CLOSED}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"]["broker"] == "failed: ConnectionError"
    settings.CELERY_BROKER_URL = f"amqp://guest@{CLOSED}//"
    assert body(client.get("/readyz"))["checks"]["broker"] == "failed: ConnectionRefusedError"


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="")
def test_no_broker_check_without_a_broker(client):
    assert "broker" not in body(client.get("/readyz"))["checks"]


def test_probes_only_answer_get_and_head(client):
    # A POST goes on to the URLconf, which has no such page.
    assert client.post("/healthz").status_code in (403, 404)
