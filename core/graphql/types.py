"""Types and helpers every package's GraphQL shares."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import graphene
from django.utils import timezone
from graphene_django import DjangoObjectType
from graphene_django.registry import get_global_registry

from core.models import Province

TWO_PLACES = Decimal("0.01")


def score(value) -> float | None:
    """A score (stored as Decimal with two places) as a JSON number rounded to two places.

    Scores are measurements, not money: a Float is what clients chart and compare, and two
    decimal places are exactly representable enough for display (72.5, 69.25).
    """
    if value is None:
        return None
    return float(Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def enum_value(member):
    """Graphene passes enum arguments as enum members, and a fresh model row may hold a
    ``TextChoices`` member; selectors, services and GraphQL enums take the plain value."""
    return getattr(member, "value", member)


def enum_from_choices(name: str, choices, description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum named ``name`` from a Django ``TextChoices`` (ACTIVE ↔ "active")."""
    return graphene.Enum(
        name,
        [(member.name, member.value) for member in choices],
        description=description or None,
    )


def model_type(model) -> type[DjangoObjectType]:
    """The schema's GraphQL type for ``model``.

    A type that packages above extend (``Product``, ``Business``) is composed in ``api.types``
    from its package's base type and the extensions of the packages above; the bases are
    declared with ``skip_registry``, so graphene-django's registry holds the composition only.
    Everything that names such a type (fields, shaping that must include the extensions) goes
    through here, because the package that declares the base cannot import the composition.
    """
    found = get_global_registry().get_type_for_model(model)
    if found is None:
        raise LookupError(
            f"No GraphQL type is composed for {model._meta.label}: list it in api.types."
        )
    return found


def lazy_model_type(model) -> Callable[[], type[DjangoObjectType]]:
    """``model_type(model)`` for a field declaration: looked up when the schema is built."""
    return lambda: model_type(model)


def request_today(info) -> datetime.date:
    """Today's date, looked up once per request: a page has a hundred certificates, and every
    status on it is as of the same day."""
    context = info.context
    today = getattr(context, "_ocop_today", None)
    if today is None:
        today = timezone.localdate()
        with contextlib.suppress(AttributeError):
            context._ocop_today = today
    return today


class Upload(graphene.Scalar):
    """A file sent as a part of a multipart request (GraphQL multipart request spec): the
    variable is ``null`` in ``operations`` and ``map`` names the part that fills it."""

    @staticmethod
    def serialize(value):
        return None

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node, _variables=None):
        # A file cannot be written inside the query text.
        return None


class ProvinceType(DjangoObjectType):
    """A current (post-1 July 2025) province or centrally-run city."""

    class Meta:
        model = Province
        name = "Province"
        fields = ("code", "name", "short_name", "slug")
