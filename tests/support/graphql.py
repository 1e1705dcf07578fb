"""A GraphQL client for tests: POSTs to /graphql/ the way an integrator or a browser does."""

import json


class GraphQLClient:
    """POSTs a query to /graphql/ as JSON (multipart when a file is sent), with ``headers``
    (an API token, a CSRF header) on every request."""

    def __init__(self, client, **headers):
        self.client = client
        self.headers = headers

    def post(self, query: str, variables: dict | None = None, **extra):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.client.post(
            "/graphql/",
            json.dumps(body),
            content_type="application/json",
            **{**self.headers, **extra},
        )

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        """The ``data`` of a successful query; fails the test on any error."""
        return self._data(self.post(query, variables))

    def errors(self, query: str, variables: dict | None = None, status: int = 200) -> list[dict]:
        response = self.post(query, variables)
        payload = response.json()
        assert response.status_code == status, payload
        assert payload.get("errors"), payload
        return payload["errors"]

    def upload(self, query: str, variables: dict, upload) -> dict:
        """The GraphQL multipart request: ``operations``, ``map``, then the file part."""
        operations = json.dumps({"query": query, "variables": {**variables, "image": None}})
        response = self.client.post(
            "/graphql/",
            {"operations": operations, "map": json.dumps({"0": ["variables.image"]}), "0": upload},
            **self.headers,
        )
        return self._data(response)

    @staticmethod
    def _data(response) -> dict:
        payload = response.json()
        assert response.status_code == 200, payload
        assert "errors" not in payload, payload["errors"]
        return payload["data"]
