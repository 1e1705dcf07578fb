"""Validation rules that reject abusive queries before anything executes (so before any SQL).

graphql-core runs every rule over the parsed document before execution. These three walk each
operation themselves, expanding fragment spreads where they are used, so a fragment cannot hide
depth, aliases or cost. Each fragment's figures are computed once and memoised (a fragment spread
twice in a fragment spread twice… stays linear), and a fragment already being expanded counts as
empty: the standard ``NoFragmentCyclesRule`` reports the cycle itself.

Every operation in the document is checked, not only the one named by ``operationName``: a
document is refused as a whole, which is simpler to reason about and costs an honest client
nothing. Limits are read from settings when a rule is instantiated (graphql-core creates rule
instances per validation), so tests and deployments can change them without restarting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    is_interface_type,
    is_object_type,
)

# A connection argument sent as a variable (or left out) is counted at the page cap: the
# connection field itself refuses anything larger, so this is a true upper bound.
DEFAULT_PAGE_SIZE = 100

# ``ofType`` chains in introspection are bounded by how deeply a type is wrapped (a few levels),
# not by the query text: GraphiQL's standard introspection query nests it seven times. Counting
# them would reject every schema browser without protecting anything.
_DEPTH_FREE_FIELDS = frozenset({"ofType"})


@dataclass(frozen=True)
class _Figures:
    depth: int
    aliases: int
    cost: int


class _Walker:
    """Depth, aliases and cost of a selection set, with fragments expanded and memoised."""

    def __init__(self, schema: GraphQLSchema, fragments: dict):
        self.schema = schema
        self.fragments = fragments
        self.memo: dict[str, _Figures] = {}
        self.expanding: set[str] = set()

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> _Figures:
        depth = aliases = cost = 0
        if selection_set is None:
            return _Figures(0, 0, 0)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                figures = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                figures = self.selection_set(selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                figures = self.fragment(selection.name.value)
            else:  # pragma: no cover - the grammar has no other selection kinds
                continue
            depth = max(depth, figures.depth)
            aliases += figures.aliases
            cost += figures.cost
        return _Figures(depth, aliases, cost)

    def fragment(self, name: str) -> _Figures:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.expanding:
            # Unknown fragments and cycles are reported by the standard rules.
            return _Figures(0, 0, 0)
        self.expanding.add(name)
        try:
            condition = self.schema.get_type(definition.type_condition.name.value)
            figures = self.selection_set(definition.selection_set, condition)
        finally:
            self.expanding.discard(name)
        self.memo[name] = figures
        return figures

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> _Figures:
        name = node.name.value
        field_type = None
        if parent is not None and (is_object_type(parent) or is_interface_type(parent)):
            definition = parent.fields.get(name)
            if definition is not None:
                field_type = get_named_type(definition.type)
        children = self.selection_set(node.selection_set, field_type)
        own_depth = 0 if name in _DEPTH_FREE_FIELDS else 1
        multiplier = self.page_size(node, field_type)
        return _Figures(
            depth=own_depth + children.depth,
            aliases=(1 if node.alias else 0) + children.aliases,
            cost=1 + multiplier * children.cost,
        )

    @staticmethod
    def page_size(node: FieldNode, field_type: GraphQLNamedType | None) -> int:
        """How many times a connection repeats what is selected inside it (1 for other fields)."""
        arguments = {arg.name.value: arg.value for arg in node.arguments or ()}
        is_connection = (
            isinstance(field_type, GraphQLObjectType)
            and "edges" in field_type.fields
            and "pageInfo" in field_type.fields
        )
        if not is_connection and "first" not in arguments and "last" not in arguments:
            return 1
        sizes = [
            int(value.value)
            for key in ("first", "last")
            if isinstance(value := arguments.get(key), IntValueNode)
        ]
        if sizes:
            return max(0, min(sizes))
        return DEFAULT_PAGE_SIZE


def _operation_root(schema: GraphQLSchema, operation: OperationDefinitionNode):
    return {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]


class _LimitRule(ValidationRule):
    """Computes the figures of every operation once per document and lets subclasses judge."""

    def enter_document(self, node, *_args):
        walker = _Walker(
            self.context.schema,
            {
                definition.name.value: definition
                for definition in node.definitions
                if isinstance(definition, FragmentDefinitionNode)
            },
        )
        for definition in node.definitions:
            if isinstance(definition, OperationDefinitionNode):
                figures = walker.selection_set(
                    definition.selection_set, _operation_root(self.context.schema, definition)
                )
                self.check(definition, figures)

    def check(self, operation: OperationDefinitionNode, figures: _Figures) -> None:
        raise NotImplementedError


class DepthLimitRule(_LimitRule):
    def check(self, operation, figures):
        limit = settings.GRAPHQL_MAX_DEPTH
        if figures.depth > limit:
            self.report_error(
                GraphQLError(
                    _("The query is nested %(depth)d levels deep; the maximum is %(limit)d.")
                    % {"depth": figures.depth, "limit": limit},
                    operation,
                    extensions={"code": "QUERY_TOO_DEEP"},
                )
            )


class AliasLimitRule(_LimitRule):
    def check(self, operation, figures):
        limit = settings.GRAPHQL_MAX_ALIASES
        if figures.aliases > limit:
            self.report_error(
                GraphQLError(
                    _("The query uses %(aliases)d aliases; the maximum is %(limit)d.")
                    % {"aliases": figures.aliases, "limit": limit},
                    operation,
                    extensions={"code": "TOO_MANY_ALIASES"},
                )
            )


class CostLimitRule(_LimitRule):
    def check(self, operation, figures):
        limit = settings.GRAPHQL_MAX_COST
        if figures.cost > limit:
            self.report_error(
                GraphQLError(
                    _("The query's estimated cost is %(cost)d; the maximum is %(limit)d.")
                    % {"cost": figures.cost, "limit": limit},
                    operation,
                    extensions={"code": "QUERY_TOO_COSTLY"},
                )
            )


LIMIT_RULES = (DepthLimitRule, AliasLimitRule, CostLimitRule)


class IntrospectionRule(ValidationRule):
    """Refuses ``__schema`` and ``__type`` unless ``settings.GRAPHQL_INTROSPECTION`` (on with
    DEBUG, off in production). Unlike graphene's ``DisableIntrospection``, ``__typename`` stays
    allowed: Relay and Apollo clients add it to every selection, and it reveals nothing the
    answer does not. The schema is still published as ``tests/graphql/schema.graphql``; closing
    introspection only stops a stranger from mapping the API from outside."""

    def enter_field(self, node: FieldNode, *_args):
        if settings.GRAPHQL_INTROSPECTION or node.name.value not in ("__schema", "__type"):
            return
        self.report_error(
            GraphQLError(
                _("Introspection is disabled on this server."),
                node,
                extensions={"code": "INTROSPECTION_DISABLED"},
            )
        )
