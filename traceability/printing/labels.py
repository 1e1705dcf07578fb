"""What one printed stamp carries, whatever the output (PDF sheet, CSV row)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StampLabel:
    url: str
    serial: str
    product_name: str
    stars: int | None
    pin: str | None = None
    # The GS1 Digital Link form of the same stamp, when the pack has a GTIN.
    gs1_url: str | None = None
