"""Security headers: a Content-Security-Policy that allows scripts and styles from this origin
(plus Stripe's Payment Element), no inline script anywhere, Permissions-Policy denying
geolocation except where a view asks, GraphiQL exempt in DEBUG."""

import base64
import hashlib
import pathlib
import re

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from core.headers import PermissionsPolicyMiddleware, permissions_policy_allow

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]


def _policy(response) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy():
    response = Client().get("/")
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "https://api.stripe.com" in policy["connect-src"]
    assert not any("unsafe" in source for source in policy["script-src"] + policy["style-src"])


@pytest.mark.django_db
def test_404_and_graphql_answers_carry_it_too():
    assert "Content-Security-Policy" in Client().get("/khong-co/")
    answer = Client().post(
        "/graphql/", {"query": "{ __typename }"}, content_type="application/json"
    )
    assert "default-src 'self'" in answer["Content-Security-Policy"]


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from directory.rglob("*.html")


def test_no_template_has_an_inline_script():
    inline = [
        str(path.relative_to(ROOT))
        for path in _templates()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", path.read_text(encoding="utf-8"))
    ]
    assert inline == []


def test_the_only_inline_style_is_the_500_pages_and_its_hash_is_allowed():
    with_style = sorted(
        str(path.relative_to(ROOT))
        for path in _templates()
        if "<style" in path.read_text(encoding="utf-8")
    )
    assert with_style == ["templates/500.html"]
    css = re.search(r"<style>(.*?)</style>", (ROOT / "templates/500.html").read_text(), re.S)[1]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.django_db
def test_geolocation_is_denied_on_every_page():
    header = Client().get("/")["Permissions-Policy"]
    assert "geolocation=()" in header.split(", ")
    assert "camera=()" in header.split(", ")


def test_a_view_that_asks_for_geolocation_gets_it_for_this_origin_only():
    @permissions_policy_allow("geolocation")
    def asks(request):
        return HttpResponse("ok")

    def plain(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    allowed = PermissionsPolicyMiddleware(asks)(request)["Permissions-Policy"].split(", ")
    assert "geolocation=(self)" in allowed and "camera=()" in allowed
    assert "geolocation=()" in PermissionsPolicyMiddleware(plain)(request)["Permissions-Policy"]
    with pytest.raises(ValueError):
        permissions_policy_allow("geolocaton")


@pytest.mark.django_db
def test_graphiql_in_debug_is_exempt(settings):
    settings.DEBUG = True
    page = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" not in page
