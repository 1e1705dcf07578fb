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
