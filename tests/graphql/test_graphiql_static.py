"""GraphiQL (DEBUG only) loads nothing but this site's own static files: it works offline."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_graphiql_references_only_local_static_files(client, settings):
    settings.DEBUG = True
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(urls) == 11  # 3 style sheets, 8 scripts
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"no static file for {url}"
    assert "://" not in html  # no CDN, no absolute address of any kind
    # Every script is a file (the Content-Security-Policy allows no inline script).
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert 'id="editor"' in html and 'data-header-editor-enabled="true"' in html


def test_the_vendored_files_are_the_versions_graphene_django_pins():
    import base64
    import hashlib

    from graphene_django.views import GraphQLView

    pins = {
        "graphiql.min.js": GraphQLView.graphiql_sri,
        "graphiql.min.css": GraphQLView.graphiql_css_sri,
        "react.production.min.js": GraphQLView.react_sri,
        "react-dom.production.min.js": GraphQLView.react_dom_sri,
        "fetch.umd.js": GraphQLView.whatwg_fetch_sri,
    }
    for name, sri in pins.items():
        with open(finders.find(f"core/graphiql/{name}"), "rb") as file:
            digest = base64.b64encode(hashlib.sha256(file.read()).digest()).decode()
        assert f"sha256-{digest}" == sri, name
