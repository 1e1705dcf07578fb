"""Execution of this schema's queries: synchronous, and lists of objects completed by a plan.

graphql-core resolves a field in a general way: it looks the field up, builds a
``GraphQLResolveInfo`` and a ``Path``, reads its arguments from the document, calls the resolver
and then asks of the result, in turn, whether it is an exception, non-null, a list, a leaf, an
abstract or an object type. For ``products(first: 100)`` with offers that is about 3,800 fields
and 9,000 value completions a request, most of the time of an uncached answer.

Every item of a list has the same selection, so all of that except calling the resolver is the
same for each item. ``SyncExecutionContext.complete_list_value`` therefore works it out once per
list field (a *plan*: per selected field its resolver, arguments, info and how to complete what
it returns) and runs the plan on every item. The items' fields see the same
``GraphQLResolveInfo`` for every item, with the path of the first: graphql-core itself passes a
list's items one shared info (see ``complete_list_value``), and no resolver here reads
``info.path``.

The answer is the same as graphql-core's: same resolvers with the same arguments, same
serialisation, same order of keys. What a plan does not take on — an interface or union below the
list — is left to graphql-core. Errors are graphql-core's too: when anything goes wrong in a plan
(a resolver raises, a non-null field is null, a value is not a list), the plan's result is dropped
and graphql-core completes the list again the ordinary way, which reports the error with its exact
path and location (resolvers only read, so running them again changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.utils.functional import SimpleLazyObject
from graphene.types.resolver import dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    ExecutionContext,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode
from graphql.pyutils import Path, is_iterable

Complete = Callable[[Any], Any]


class PlanRefused(Exception):
    """Raised inside a plan: let graphql-core complete the list (and report the error)."""


class _Unplannable(Exception):
    """The selection holds something plans do not take on (an abstract type)."""


class SyncExecutionContext(ExecutionContext):
    """graphql-core asks of every value a resolver returns, and of every completed field,
    whether it is awaitable, in case the schema has async resolvers: 15,000 checks for
    ``products(first: 100)`` with offers. This schema runs under WSGI with the synchronous ORM:
    nothing is.

    Lists of objects are completed by a plan (see the module's docstring)."""

    @staticmethod
    def is_awaitable(value) -> bool:
        return False

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ):
        complete = self._list_plan(return_type, field_nodes, info, path)
        if complete is not None:
            try:
                return complete(result)
            except Exception:  # graphql-core completes it again and reports the error
                pass
        return super().complete_list_value(return_type, field_nodes, info, path, result)

    def _list_plan(self, return_type, field_nodes, info, path) -> Complete | None:
        plans = self.__dict__.setdefault("_list_plans", {})
        key = (return_type, *map(id, field_nodes))
        if key not in plans:
            try:
                plans[key] = self._completer(return_type, field_nodes, info, path)
            except _Unplannable:
                plans[key] = None
        return plans[key]

    def _completer(
        self,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
    ) -> Complete:
        """How to complete a value of ``return_type`` resolved for ``info``'s field, as
        ``complete_value`` does."""
        if is_non_null_type(return_type):
            inner = self._completer(return_type.of_type, field_nodes, info, path)

            def complete_non_null(value):
                completed = inner(value)
                if completed is None:
                    raise PlanRefused
                return completed

            return complete_non_null
        if is_list_type(return_type):
            return self._list_completer(return_type, field_nodes, info, path)
        if is_leaf_type(return_type):
            serialize = return_type.serialize

            def complete_leaf(value):
                if value is None or value is Undefined:
                    return None
                if isinstance(value, Exception):
                    raise PlanRefused
                serialized = serialize(value)
                if serialized is Undefined or serialized is None:
                    raise PlanRefused
                return serialized

            return complete_leaf
        if is_object_type(return_type):
            return self._object_completer(return_type, field_nodes, info, path)
        raise _Unplannable

    def _list_completer(
        self,
        return_type: GraphQLList,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
    ) -> Complete:
        item = self._completer(return_type.of_type, field_nodes, info, path.add_key(0, None))

        def complete_list(value):
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception) or not is_iterable(value):
                raise PlanRefused
            return [item(entry) for entry in value]

        return complete_list

    def _object_completer(
        self,
        return_type: GraphQLObjectType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
    ) -> Complete:
        fields = []
        for response_name, sub_nodes in self.collect_subfields(return_type, field_nodes).items():
            field_def = get_field_def(self.schema, return_type, sub_nodes[0])
            if not field_def:
                continue
            field_path = Path(path, response_name, return_type.name)
            field_info = self.build_resolve_info(field_def, sub_nodes, return_type, field_path)
            complete = self._completer(field_def.type, sub_nodes, field_info, field_path)
            fields.append(
                (response_name, self._field_runner(field_def, sub_nodes, field_info, complete))
            )
        is_type_of = _type_check(return_type.is_type_of, info)

        def complete_object(value):
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise PlanRefused
            if is_type_of is not None and not is_type_of(value):
                raise PlanRefused
            return {name: run(value) for name, run in fields}

        return complete_object

    def _field_runner(self, field_def, field_nodes, info, complete: Complete) -> Complete:
        """Resolve one field of a value and complete what it returns."""
        args = get_argument_values(field_def, field_nodes[0], self.variable_values)
        resolve = field_def.resolve or self.field_resolver
        if self.middleware_manager:
            resolve = self.middleware_manager.get_field_resolver(resolve)
        elif (
            isinstance(resolve, partial)
            and resolve.func is dict_or_attr_resolver
            and len(resolve.args) == 2
            and not resolve.keywords
        ):
            # graphene's default resolver, inlined.
            name, default = resolve.args

            def run_default(value):
                if isinstance(value, dict):
                    return complete(value.get(name, default))
                return complete(getattr(value, name, default))

            return run_default
        if args:
            return lambda value: complete(resolve(value, info, **args))
        return lambda value: complete(resolve(value, info))


def _type_check(is_type_of, info) -> Callable[[Any], bool] | None:
    """``is_type_of`` for one value. graphene-django's answer depends on nothing but the
    value's class, so it is asked once per class."""
    if not is_type_of:
        return None
    if getattr(is_type_of, "__func__", None) is not _DJANGO_IS_TYPE_OF:
        return lambda value: is_type_of(value, info)
    known: dict[type, bool] = {}

    def check(value) -> bool:
        cls = type(value)
        if cls is SimpleLazyObject:
            return is_type_of(value, info)
        answer = known.get(cls)
        if answer is None:
            answer = known[cls] = bool(is_type_of(value, info))
        return answer

    return check


_DJANGO_IS_TYPE_OF = DjangoObjectType.is_type_of.__func__
