import json

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests are about the API's behaviour and assert its English messages; an integrator
    gets English by asking for it (Accept-Language), Vietnamese by default (tests/i18n)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


class GraphQLClient:
    """POSTs a query to /graphql/ as JSON, the way an integrator does."""

    def __init__(self, client):
        self.client = client

    def post(self, query: str, variables: dict | None = None, **extra):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.client.post(
            "/graphql/", json.dumps(body), content_type="application/json", **extra
        )

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        """The ``data`` of a successful query; fails the test on any error."""
        response = self.post(query, variables)
        payload = response.json()
        assert response.status_code == 200, payload
        assert "errors" not in payload, payload["errors"]
        return payload["data"]

    def errors(self, query: str, variables: dict | None = None, status: int = 200) -> list[dict]:
        response = self.post(query, variables)
        payload = response.json()
        assert response.status_code == status, payload
        assert payload.get("errors"), payload
        return payload["errors"]


@pytest.fixture
def gql(client):
    return GraphQLClient(client)
