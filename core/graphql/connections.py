"""Relay connections with ``totalCount`` and a hard page cap.

``first``/``last`` above the cap (``GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]``, 100) or below zero
are refused with a GraphQL error before the field's resolver runs, so before any SQL. Leaving both
out gives the first page of the cap's size.
"""

from __future__ import annotations

import graphene
from django.conf import settings
from django.utils.translation import gettext as _
from graphene import relay
from graphene_django.fields import DjangoConnectionField

from core.graphql.errors import ErrorCode, api_error


class CountableConnection(relay.Connection):
    """Base connection for every DjangoObjectType (``Meta.connection_class``)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many items match, across all pages.")

    @staticmethod
    def resolve_total_count(root, info):
        # DjangoConnectionField counted the queryset once to paginate; reuse that figure.
        length = getattr(root, "length", None)
        if length is not None:
            return length
        return len(root.iterable)


class ConnectionField(DjangoConnectionField):
    """A DjangoConnectionField whose page-size errors are clear GraphQL errors with a code."""

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        for name in ("first", "last"):
            value = args.get(name)
            if value is None:
                continue
            if value < 0:
                raise api_error(
                    _("`%(arg)s` on `%(field)s` cannot be negative.")
                    % {"arg": name, "field": info.field_name},
                    ErrorCode.OUT_OF_RANGE,
                )
            if max_limit and value > max_limit:
                raise api_error(
                    _(
                        "`%(arg)s: %(value)d` on `%(field)s` asks for too many items; "
                        "at most %(max)d can be fetched at a time."
                    )
                    % {"arg": name, "value": value, "field": info.field_name, "max": max_limit},
                    ErrorCode.OUT_OF_RANGE,
                )
        offset = args.get("offset")
        if offset is not None and offset < 0:
            raise api_error(
                _("`offset` on `%(field)s` cannot be negative.") % {"field": info.field_name},
                ErrorCode.OUT_OF_RANGE,
            )
        return super().connection_resolver(
            resolver,
            connection,
            default_manager,
            queryset_resolver,
            max_limit,
            enforce_first_or_last,
            root,
            info,
            **args,
        )


class InMemoryConnectionField(relay.ConnectionField):
    """A connection over a list the parent already holds (prefetched for the whole page, so
    nesting it costs no query per row), with the same cap as every other connection: at most
    100 items a page, the first 100 when neither ``first`` nor ``last`` is given."""

    @classmethod
    def resolve_connection(cls, connection_type, args, resolved):
        limit = settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100)
        for name in ("first", "last"):
            value = args.get(name)
            if value is not None and not 0 <= value <= limit:
                raise api_error(
                    _("`%(arg)s` must be between 0 and %(max)d.") % {"arg": name, "max": limit},
                    ErrorCode.OUT_OF_RANGE,
                )
        if args.get("first") is None and args.get("last") is None:
            args = {**args, "first": limit}
        return super().resolve_connection(connection_type, args, resolved)
