"""Points of sale for tests: ``point()`` writes through ``point_write`` so every row passes the
same checks as the workspace's."""

import datetime
import itertools

from marketplace.places.services import location_hours_write, point_write
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, province

_names = itertools.count(1)


def point(
    *,
    operator=None,
    name: str | None = None,
    kind: str = "ocop_centre",
    code: str = "22",
    latitude="20.950000",
    longitude="107.080000",
    hours=None,
    **fields,
):
    """A point of sale (open every day 08:00–20:00 unless ``hours`` says otherwise)."""
    operator = operator or BusinessFactory(status=SellerStatus.ACTIVE)
    created = point_write(
        business=operator,
        name=name or f"Điểm bán OCOP số {next(_names)}",
        kind=kind,
        province=province(code),
        latitude=latitude,
        longitude=longitude,
        **fields,
    )
    if hours is None:
        hours = [(day, datetime.time(8), datetime.time(20)) for day in range(7)]
    location_hours_write(location=created.location, intervals=hours)
    return created
