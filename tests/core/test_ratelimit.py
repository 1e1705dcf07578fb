"""core.ratelimit: the one rate limiter every package uses."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.ratelimit import FailureLimit, client_ip


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_spend_counts_until_the_limit_then_only_says_how_long_to_wait():
    limit = FailureLimit("probe", limit=2, window=60)
    assert limit.spend("a") == 0
    assert limit.spend("a") == 0
    wait = limit.spend("a")
    assert 0 < wait <= 60
    assert limit.spend("b") == 0  # another key has its own budget
    limit.reset("a")
    assert limit.spend("a") == 0


def test_failures_count_only_when_told():
    limit = FailureLimit("probe-fail", limit=1, window=60)
    assert limit.retry_after("x") == 0
    assert limit.fail("x") == 1
    assert 0 < limit.retry_after("x") <= 60


def test_client_ip_trusts_a_proxy_header_only_when_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    settings.RATELIMIT_CLIENT_IP_META = ""
    assert client_ip(request) == "10.0.0.1"
    settings.RATELIMIT_CLIENT_IP_META = "HTTP_X_REAL_IP"
    assert client_ip(request) == "203.0.113.5"
