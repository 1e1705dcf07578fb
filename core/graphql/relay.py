"""Relay global IDs, checked for their type.

A global ID is base64("TypeName:pk"). Every place that accepts one says which type it expects, so
a Product ID sent where a Certificate is wanted is refused with a clear error instead of loading
whatever certificate happens to share the primary key.
"""

from __future__ import annotations

import binascii

from django.utils.translation import gettext as _
from graphene import relay
from graphql_relay import from_global_id

from core.graphql.errors import ErrorCode, api_error


def _type_name(expected_type) -> str:
    if isinstance(expected_type, str):
        return expected_type
    return expected_type._meta.name


def parse_global_id(global_id: str) -> tuple[str, str]:
    """(type name, raw id) of a global ID, or a GraphQL error saying it is malformed."""
    try:
        type_name, raw_id = from_global_id(str(global_id))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        type_name, raw_id = "", ""
    if not type_name or not raw_id:
        raise api_error(_("“%(id)s” is not a valid ID.") % {"id": global_id}, ErrorCode.INVALID)
    return type_name, raw_id


def from_global_id_or_error(global_id: str, expected_type) -> int:
    """The primary key inside ``global_id``, which must be an ID of ``expected_type``.

    ``expected_type`` is a graphene type or its schema name. Errors (code INVALID) say what was
    expected and what was sent.
    """
    expected = _type_name(expected_type)
    type_name, raw_id = parse_global_id(global_id)
    if type_name != expected:
        raise api_error(
            _("Expected an ID of a %(expected)s, got an ID of a %(got)s.")
            % {"expected": expected, "got": type_name},
            ErrorCode.INVALID,
        )
    if not raw_id.isascii() or not raw_id.isdigit() or int(raw_id) < 1:
        raise api_error(
            _("“%(id)s” is not a valid %(type)s ID.") % {"id": global_id, "type": expected},
            ErrorCode.INVALID,
        )
    return int(raw_id)


class Node(relay.Node):
    """The Relay node interface with type-checked IDs (``node(id:)`` and ``Node.Field(Type)``)."""

    class Meta:
        name = "Node"
        description = "An object with a global ID."

    @classmethod
    def get_node_from_global_id(cls, info, global_id, only_type=None):
        if only_type:  # graphene passes False for the untyped ``node`` field
            type_name = only_type._meta.name
        else:
            type_name, _raw = parse_global_id(global_id)
        schema_type = info.schema.get_type(type_name)
        graphene_type = getattr(schema_type, "graphene_type", None)
        if graphene_type is None or cls not in getattr(graphene_type._meta, "interfaces", ()):
            raise api_error(
                _("“%(id)s” is not the ID of anything this API serves.") % {"id": global_id},
                ErrorCode.INVALID,
            )
        pk = from_global_id_or_error(global_id, type_name)
        return graphene_type.get_node(info, pk)
