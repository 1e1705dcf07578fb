"""Cheap checks on a GraphQL request before graphql-core's validation runs.

The standard validation rules are not linear: ``OverlappingFieldsCanBeMergedRule`` compares every
pair of fields sharing a response name (5,000 copies of one field: 12.5 million comparisons), and
one rule instance per operation walks the document again. A refused 128 KB document used to cost
1–3.6 s of CPU. So before them, in this order and each in time linear in what it has read:

1. the parser stops after ``GRAPHQL_MAX_TOKENS`` tokens;
2. one pass over the syntax tree counts operations, fields, directives and same-named fields
   in one selection set, and refuses integer literals too long to be an ``Int``;
3. ``first``/``last`` arguments — literals and variables alike — are checked against the page cap,
   so a page-size refusal costs no SQL, not even the catalogue-version lookup;
4. ``variables`` must be a JSON object.

A refusal is a list of ``GraphQLError``s without a path: the view answers 400.
"""

from __future__ import annotations

import json
from collections import Counter

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)

from core.graphql.errors import ErrorCode

# Int is 32-bit: anything longer than this is refused as text, before Python parses it (3.11
# refuses to convert integers of more than 4,300 digits and graphql-core would raise a 500).
_INT_LITERAL_MAX_CHARS = 11
_PAGE_ARGUMENTS = ("first", "last")


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _same_named_fields(selection_set: SelectionSetNode) -> int:
    """The largest number of fields answering under one name in a selection set, inline
    fragments included (they merge into it) — the figure the overlap rule is quadratic in."""
    names: Counter[str] = Counter()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                names[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
    return max(names.values(), default=0)


def _page_size_errors(field: FieldNode, variables: dict, defaults: dict) -> list[GraphQLError]:
    cap = settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100)
    errors = []
    for argument in field.arguments or ():
        name = argument.name.value
        if name not in _PAGE_ARGUMENTS:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            if len(value.value) > _INT_LITERAL_MAX_CHARS:
                continue  # refused as a literal when the walk reaches it
            number = int(value.value)
        elif isinstance(value, VariableNode):
            number = variables.get(value.name.value, defaults.get(value.name.value))
            if isinstance(number, bool) or not isinstance(number, int):
                continue  # missing, null or not an Int: graphql-core's coercion answers that
        else:
            continue
        if number < 0:
            errors.append(
                _error(
                    _("`%(arg)s` on `%(field)s` cannot be negative.")
                    % {"arg": name, "field": field.name.value},
                    ErrorCode.OUT_OF_RANGE.name,
                )
            )
        elif number > cap:
            errors.append(
                _error(
                    _(
                        "`%(arg)s: %(value)d` on `%(field)s` asks for too many items; "
                        "at most %(max)d can be fetched at a time."
                    )
                    % {"arg": name, "value": number, "field": field.name.value, "max": cap},
                    ErrorCode.OUT_OF_RANGE.name,
                )
            )
    return errors


def _variable_defaults(operation: OperationDefinitionNode) -> dict:
    defaults = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, IntValueNode) and len(value.value) <= _INT_LITERAL_MAX_CHARS:
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


# Documents (and variables) longer than this are checked every time rather than remembered.
_MEMO_MAX_CHARS = 10_000


def document_refusal(query, variables) -> list[GraphQLError]:
    """Why this request is refused before validation, or [] when it may go on.

    Clients send the same few documents over and over, and parsing one costs more than serving
    its answer from the catalogue cache: a document accepted with these variables under these
    limits is remembered (refusals are worked out again, in the request's language)."""
    if variables is not None and not isinstance(variables, dict):
        return [
            _error(_("`variables` must be a JSON object."), ErrorCode.INVALID.name),
        ]
    if not isinstance(query, str):
        return []  # graphene-django answers a missing query itself
    memo_key = None
    if len(query) <= _MEMO_MAX_CHARS:
        try:
            encoded = json.dumps(variables or {}, sort_keys=True)
        except (TypeError, ValueError):
            encoded = None
        if encoded is not None and len(encoded) <= _MEMO_MAX_CHARS:
            memo_key = (query, encoded, _limits())
            if memo_key in _accepted:
                return []
    refusal = _refusal(query, variables)
    if not refusal and memo_key is not None:
        if len(_accepted) >= _MEMO_SIZE:
            _accepted.clear()
        _accepted.add(memo_key)
    return refusal


# Accepted (document, variables, limits); emptied when full.
_MEMO_SIZE = 512
_accepted: set[tuple[str, str, tuple]] = set()


def _limits() -> tuple:
    """Every setting the checks below read: a change (a test's override) is a new memo key."""
    return (
        _limit("GRAPHQL_MAX_TOKENS", 2_000),
        _limit("GRAPHQL_MAX_OPERATIONS", 10),
        _limit("GRAPHQL_MAX_FIELDS", 500),
        _limit("GRAPHQL_MAX_DIRECTIVES", 50),
        _limit("GRAPHQL_MAX_SAME_NAMED_FIELDS", 10),
        settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100),
    )


def _refusal(query: str, variables) -> list[GraphQLError]:
    max_tokens = _limit("GRAPHQL_MAX_TOKENS", 2_000)
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError as error:
        if "tokens" in error.message:
            return [
                _error(
                    _("The query is longer than %(limit)d tokens.") % {"limit": max_tokens},
                    ErrorCode.TOO_LARGE.name,
                )
            ]
        return []  # a syntax error: graphene-django reports it with its location
    return _tree_refusal(document, variables or {})


def _tree_refusal(document: DocumentNode, variables: dict) -> list[GraphQLError]:
    max_operations = _limit("GRAPHQL_MAX_OPERATIONS", 10)
    max_fields = _limit("GRAPHQL_MAX_FIELDS", 500)
    max_directives = _limit("GRAPHQL_MAX_DIRECTIVES", 50)
    max_same_named = _limit("GRAPHQL_MAX_SAME_NAMED_FIELDS", 10)
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    if operations > max_operations:
        return [
            _error(
                _("The document holds %(count)d operations; the maximum is %(limit)d.")
                % {"count": operations, "limit": max_operations},
                ErrorCode.TOO_MANY.name,
            )
        ]
    fields = directives = 0
    page_errors: list[GraphQLError] = []
    for definition in document.definitions:
        defaults = (
            _variable_defaults(definition)
            if isinstance(definition, OperationDefinitionNode)
            else {}
        )
        stack: list[Node] = [definition]
        while stack:
            node = stack.pop()
            if isinstance(node, FieldNode):
                fields += 1
                page_errors += _page_size_errors(node, variables, defaults)
            elif isinstance(node, DirectiveNode):
                directives += 1
            elif isinstance(node, IntValueNode):
                if len(node.value) > _INT_LITERAL_MAX_CHARS:
                    return [
                        _error(
                            _("An integer in the query has too many digits."),
                            ErrorCode.OUT_OF_RANGE.name,
                        )
                    ]
                continue
            elif isinstance(node, SelectionSetNode) and (_same_named_fields(node) > max_same_named):
                return [
                    _error(
                        _(
                            "The query selects the same field more than %(limit)d times "
                            "in one place."
                        )
                        % {"limit": max_same_named},
                        ErrorCode.TOO_MANY.name,
                    )
                ]
            if fields > max_fields:
                return [
                    _error(
                        _("The query selects more than %(limit)d fields.") % {"limit": max_fields},
                        ErrorCode.TOO_MANY.name,
                    )
                ]
            if directives > max_directives:
                return [
                    _error(
                        _("The query uses more than %(limit)d directives.")
                        % {"limit": max_directives},
                        ErrorCode.TOO_MANY.name,
                    )
                ]
            stack.extend(_children(node))
    # Page sizes inside fragments are checked where they are written (with no operation
    # defaults): the refusal is the same wherever the fragment is spread.
    return page_errors


def _children(node: Node):
    for key in node.keys:
        if key == "loc":
            continue
        value = getattr(node, key, None)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple | list):
            yield from (item for item in value if isinstance(item, Node))
