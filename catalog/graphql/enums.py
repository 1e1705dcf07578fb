"""GraphQL enums of the registry."""

from __future__ import annotations

import graphene

from catalog.models import CertificateStatus, EvaluationLevel, RevocationGround, VolumeUnit
from core.graphql.types import enum_from_choices

CertificateStatusEnum = enum_from_choices(
    "CertificateStatus", CertificateStatus, "A certificate's status as it stands today."
)
RevocationGroundEnum = enum_from_choices(
    "RevocationGround", RevocationGround, "Grounds for revocation (Decision 26/2026, Art. 8)."
)
EvaluationLevelEnum = enum_from_choices(
    "EvaluationLevel", EvaluationLevel, "Which council scored the product."
)
VolumeUnitEnum = enum_from_choices("VolumeUnit", VolumeUnit, "The unit of a pack's net quantity.")


class ProductOrdering(graphene.Enum):
    """How ``products`` are sorted. Ties are broken by name, then by ID, so pages are stable."""

    NAME = "name"
    STARS = "stars"
    NEWEST = "newest"
    SCORE = "score"

    @property
    def description(self):
        return {
            ProductOrdering.NAME: "Alphabetically, ignoring diacritics.",
            ProductOrdering.STARS: "Most stars first.",
            ProductOrdering.NEWEST: "Most recently recognised first.",
            ProductOrdering.SCORE: "Highest evaluation score first.",
        }.get(self)
