"""What a query asked for below the current field, as a tree of schema field names.

Resolvers of lists and connections use it to shape their queryset (``select_related`` and
``prefetch_related`` only for what was selected), which keeps the number of SQL queries fixed
whatever the page size, without prefetching relations nobody asked for.

Fragments are expanded; fragments on another concrete type are left out; ``@skip``/``@include``
are ignored (selecting a little more than needed only costs an unused join).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_interface_type,
    is_object_type,
)

from core.rows import rows

Tree = dict[str, "Tree"]


class Lookups:
    """What a selection needs loaded with a queryset: joins, prefetches, and columns to leave
    out. Each type's shaping turns the selection under it into lookups relative to a prefix
    (joins continue the prefix; prefetches start a fresh queryset shaped the same way)."""

    def __init__(self):
        self.related: list[str] = []
        self.prefetch: list = []
        self.deferred: list[str] = []

    def extend(self, other: Lookups) -> Lookups:
        self.related += other.related
        self.prefetch += other.prefetch
        self.deferred += other.deferred
        return self

    def apply(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` joined, prefetched and narrowed; it and the prefetches' querysets build
        their instances straight from the rows (``core.rows``)."""
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.prefetch:
            queryset = queryset.prefetch_related(*map(_from_rows, self.prefetch))
        if self.deferred:
            queryset = queryset.defer(*self.deferred)
        return rows(queryset)


def _from_rows(prefetch):
    if isinstance(prefetch, Prefetch) and prefetch.queryset is not None:
        prefetch.queryset = rows(prefetch.queryset)
    return prefetch


def selection_tree(info: GraphQLResolveInfo, *, as_type: str | None = None) -> Tree:
    """The fields selected under the field being resolved.

    ``as_type`` names the concrete type when the field returns an interface (``node(id:)``), so
    that only fragments that apply to it are read.
    """
    schema = info.schema
    parent = get_named_type(info.return_type)
    if as_type is not None:
        parent = schema.get_type(as_type)
    tree: Tree = {}
    for node in info.field_nodes:
        _collect(node.selection_set, parent, info, tree, frozenset())
    return tree


def connection_node_tree(info: GraphQLResolveInfo) -> Tree:
    """The fields selected on each node of the connection being resolved."""
    return selection_tree(info).get("edges", {}).get("node", {})


def _applies(condition_name: str | None, parent, schema) -> bool:
    if condition_name is None or parent is None:
        return True
    if condition_name == parent.name:
        return True
    condition = schema.get_type(condition_name)
    # An interface or union condition may match the concrete object; a different object type
    # never does.
    return condition is not None and (is_abstract_type(condition) or is_abstract_type(parent))


def _collect(
    selection_set: SelectionSetNode | None,
    parent,
    info: GraphQLResolveInfo,
    tree: Tree,
    expanding: frozenset[str],
) -> None:
    if selection_set is None:
        return
    schema = info.schema
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            child = tree.setdefault(name, {})
            if selection.selection_set is None:
                continue
            child_type = None
            if parent is not None and (is_object_type(parent) or is_interface_type(parent)):
                definition = parent.fields.get(name)
                if definition is not None:
                    child_type = get_named_type(definition.type)
            _collect(selection.selection_set, child_type, info, child, expanding)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            if _applies(condition, parent, schema):
                _collect(selection.selection_set, parent, info, tree, expanding)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = info.fragments.get(name)
            if fragment is None or name in expanding:
                continue
            if _applies(fragment.type_condition.name.value, parent, schema):
                _collect(fragment.selection_set, parent, info, tree, expanding | {name})
