"""Redis unreachable: every page and the anonymous API answer from the uncached path (the failure
logged and counted), and each rate limit does what it states — sign-in fails closed with a clear
message, scans fail open. The cache points at a closed port (127.0.0.1:1)."""

import json

import pytest

from core.degradation import cache_failures
from core.ratelimit import FailureLimit, OutageWait
from tests.factories import UserFactory, certified_product

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    settings.CACHES = {
        "default": {
            "BACKEND": "core.degradation.DegradingRedisCache",
            "LOCATION": DOWN,
            "OPTIONS": options,
        },
        "catalogue": {
            "BACKEND": "core.degradation.DegradingRedisCache",
            "LOCATION": DOWN,
            "KEY_PREFIX": "catalogue",
            "OPTIONS": options,
        },
    }
    settings.CATALOGUE_CACHE_TIMEOUT = 600
    return settings


# Committed rows: inside a test's transaction the catalogue cache is bypassed anyway.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_and_the_anonymous_api_answer_without_the_cache(client, redis_down):
    product, _evaluation, _certificate = certified_product()
    before = cache_failures()
    for path in [
        "/",
        "/san-pham/",
        f"/san-pham/{product.slug}/",
        f"/nguoi-ban/{product.holder.slug}/",
    ]:
        assert client.get(path).status_code == 200, path
    response = client.post(
        "/graphql/",
        json.dumps({"query": "{ products(first: 5) { totalCount } }"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (
        200,
        {"data": {"products": {"totalCount": 1}}},
    )
    assert cache_failures() > before


def test_sign_in_fails_closed_with_a_clear_message(client, redis_down):
    UserFactory(email="a@example.com")
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": "a@example.com", "password": "correct horse battery staple"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "part of the service is restored" in response.context["rate_limit_message"] or (
        "khôi phục" in response.context["rate_limit_message"]
    )
    assert "_auth_user_id" not in client.session


def test_limits_state_what_an_outage_means(redis_down):
    opened = FailureLimit("t-open", limit=1, window=60, on_outage="open")
    closed = FailureLimit("t-closed", limit=1, window=60, on_outage="closed")
    assert [opened.spend("x") for _ in range(3)] == [0, 0, 0]
    assert opened.attempt("x") == 1
    wait = closed.spend("x")
    assert isinstance(wait, OutageWait) and wait == 60
    assert closed.attempt("x") == 2  # over the limit: refused


def test_the_scan_page_fails_open(client, redis_down):
    from traceability.services.stamps import SCAN_PER_CLIENT

    assert SCAN_PER_CLIENT.on_outage == "open"
    assert SCAN_PER_CLIENT.spend("client") == 0
