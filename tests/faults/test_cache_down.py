"""Fault injection: the cache (Redis) unreachable. Every page a visitor or a seller opens answers
from the uncached path, each rate limit does what it states (sign-in and password reset fail
closed with a clear message and send nothing; the scan page fails open and still gives its
verdict), and nothing is written twice or lost. The cache points at a closed port."""

import json

import pytest
from django.core import mail

from core.degradation import cache_failures
from tests.factories import UserFactory, certified_product
from tests.factories_traceability import stamps_for, traced_product
from traceability import signing
from traceability.models import Scan

DOWN = "redis://127.0.0.1:1/0"
OPTIONS = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        name: {
            "BACKEND": "core.degradation.DegradingRedisCache",
            "LOCATION": DOWN,
            "KEY_PREFIX": name,
            "OPTIONS": OPTIONS,
        }
        for name in ("default", "catalogue")
    }
    settings.CATALOGUE_CACHE_TIMEOUT = 600
    return settings


# Committed rows: inside a test's transaction the catalogue cache is bypassed anyway.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_public_listing_answers_and_counts_the_failures(client, redis_down):
    product, _evaluation, _certificate = certified_product()
    before = cache_failures()
    paths = [
        "/",
        "/san-pham/",
        f"/san-pham/{product.slug}/",
        f"/nguoi-ban/{product.holder.slug}/",
        f"/tinh/{product.holder.province.slug}/",
        f"/bo-san-pham/{product.product_set.number}/",
        "/tra-cuu/",
        "/tim-kiem/?q=mat+ong",
        "/sitemap.xml",
    ]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)
    response = client.post(
        "/graphql/",
        json.dumps({"query": "{ products(first: 5) { edges { node { name } } } }"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"products": {"edges": [{"node": {"name": product.name}}]}}}
    assert cache_failures() > before


@pytest.mark.django_db
def test_password_reset_fails_closed_and_sends_nothing(client, redis_down):
    UserFactory(email="a@example.com")
    response = client.post(
        "/tai-khoan/quen-mat-khau/", {"email": "a@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "part of the service is restored" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_scan_page_fails_open_with_its_verdict_and_records_one_scan(client, redis_down):
    _run, stamps, _pins = stamps_for(traced_product(), 1)
    response = client.get(f"/s/{signing.stamp_code(stamps[0])}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in response.content.decode()
    assert Scan.objects.filter(stamp=stamps[0]).count() == 1
