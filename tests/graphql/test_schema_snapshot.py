"""The API's contract: the whole schema, printed as SDL, is the committed ``schema.graphql``.

Moving code around (packages, modules, how the root schema is assembled) must not change a type,
a field, an argument, a description or their order. A change that is meant to alter the API
updates the file in the same commit, so the diff shows callers what changed:

    python manage.py graphql_schema --out tests/graphql/schema.graphql
"""

import difflib
from pathlib import Path

from graphene_django.settings import graphene_settings
from graphql import print_schema

SNAPSHOT = Path(__file__).with_name("schema.graphql")


def test_the_schema_is_the_committed_one():
    printed = print_schema(graphene_settings.SCHEMA.graphql_schema)
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if printed != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                printed.splitlines(keepends=True),
                fromfile="tests/graphql/schema.graphql",
                tofile="the schema the settings name",
            )
        )
        raise AssertionError(
            "The GraphQL schema differs from tests/graphql/schema.graphql. If the change is "
            "meant, regenerate it with `python manage.py graphql_schema --out "
            f"tests/graphql/schema.graphql` and commit it.\n{diff}"
        )
