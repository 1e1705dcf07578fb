"""Types and helpers every package's schema shares."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import graphene
from graphene_django import DjangoObjectType

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


def enum_from_choices(name: str, choices, description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum named ``name`` from a Django ``TextChoices`` (ACTIVE ↔ "active")."""
    return graphene.Enum(
        name,
        [(member.name, member.value) for member in choices],
        description=description or None,
    )


def add_fields(graphene_type, **members) -> None:
    """Add fields (and their ``resolve_*`` functions) to a type defined by a lower package.

    The dependency arrows point down (catalog → sellers): ``Business.products`` is declared by
    catalog without sellers importing catalog. Must run before the root schema is built; fields
    are read only then.
    """
    for name, member in members.items():
        if name.startswith("resolve_"):
            setattr(graphene_type, name, staticmethod(member))
        else:
            graphene_type._meta.fields[name] = (
                member if isinstance(member, graphene.Field) else member.mount_as(graphene.Field)
            )


class ProvinceType(DjangoObjectType):
    """A current (post-1 July 2025) province or centrally-run city."""

    class Meta:
        model = Province
        name = "Province"
        fields = ("code", "name", "short_name", "slug")
