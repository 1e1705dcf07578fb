"""Lists of objects completed by a plan (``core.graphql.execution``) answer exactly as
graphql-core does: same data, same key order, same errors with the same paths."""

from __future__ import annotations

import json

import graphene
import pytest
from graphql import ExecutionContext, execute, parse

from core.graphql.execution import SyncExecutionContext


class Shape(graphene.Interface):
    sides = graphene.Int()


class Square(graphene.ObjectType):
    class Meta:
        interfaces = (Shape,)


class Part(graphene.ObjectType):
    code = graphene.String(required=True)
    score = graphene.Float()
    fails = graphene.String()

    @staticmethod
    def resolve_fails(root, info):
        if root["code"] == "B":
            raise ValueError("part B cannot say")
        return "ok"


class Item(graphene.ObjectType):
    name = graphene.String(required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    parts = graphene.List(graphene.NonNull(Part), required=True)
    shapes = graphene.List(Shape)
    shout = graphene.String(loud=graphene.Boolean(default_value=False))
    must = graphene.String(required=True)
    day = graphene.Date()

    @staticmethod
    def resolve_shout(root, info, loud):
        return root["name"].upper() if loud else root["name"]

    @staticmethod
    def resolve_shapes(root, info):
        return [Square(sides=4)]

    @staticmethod
    def resolve_must(root, info):
        return root.get("must")


ITEMS = [
    {
        "name": "mật ong",
        "tags": ["a", "b"],
        "parts": [{"code": "A", "score": 1.5}, {"code": "C", "score": None}],
        "must": "x",
        "day": None,
    },
    {"name": "trà", "tags": [], "parts": [{"code": "A", "score": 2}], "must": "y", "day": None},
]


class Query(graphene.ObjectType):
    items = graphene.List(graphene.NonNull(Item), required=True)
    broken = graphene.List(Item)
    failing = graphene.List(Item)

    @staticmethod
    def resolve_items(root, info):
        return ITEMS

    @staticmethod
    def resolve_broken(root, info):
        return [ITEMS[0], {**ITEMS[1], "must": None}]

    @staticmethod
    def resolve_failing(root, info):
        return [ITEMS[0], {**ITEMS[1], "parts": [{"code": "B", "score": 1}]}]


schema = graphene.Schema(query=Query, types=[Square])


def run(document: str, context_class, variables=None) -> str:
    result = execute(
        schema.graphql_schema,
        parse(document),
        variable_values=variables,
        execution_context_class=context_class,
    )
    return json.dumps(
        {"data": result.data, "errors": [e.formatted for e in result.errors or ()]},
        ensure_ascii=False,
    )


@pytest.mark.parametrize(
    "document",
    [
        "{ items { name tags parts { code score } } }",
        "{ items { n: name again: name __typename parts { ...P } } } "
        "fragment P on Part { code s: score }",
        "query($x: Boolean!) { items { name @include(if: $x) tags @skip(if: $x) "
        "loud: shout(loud: $x) quiet: shout day } }",
        "{ items { ... on Item { name } shapes { sides ... on Square { __typename } } } }",
        "{ broken { name must } }",
        "{ failing { name parts { code fails } } }",
        "{ items { parts { code fails } } }",
    ],
)
def test_a_plan_answers_as_graphql_core_does(document):
    variables = {"x": True}
    expected = run(document, ExecutionContext, variables)
    assert run(document, SyncExecutionContext, variables) == expected


def test_errors_inside_a_planned_list_keep_their_paths():
    answer = json.loads(run("{ broken { name must } }", SyncExecutionContext))
    assert answer["data"] == {"broken": [{"name": "mật ong", "must": "x"}, None]}
    assert [error["path"] for error in answer["errors"]] == [["broken", 1, "must"]]

    answer = json.loads(run("{ failing { name parts { code fails } } }", SyncExecutionContext))
    assert answer["data"]["failing"][1] == {"name": "trà", "parts": [{"code": "B", "fails": None}]}
    assert [error["path"] for error in answer["errors"]] == [["failing", 1, "parts", 0, "fails"]]
