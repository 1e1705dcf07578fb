"""What one printed stamp carries, whatever the output (PDF sheet, CSV row)."""

from __future__ import annotations

from dataclasses import dataclass

# What the printed QR code carries: the short link fits the smallest labels; the GS1 Digital Link
# is what retail scanners and GS1 resolvers read (only for packs with a GTIN).
LINK_SHORT, LINK_GS1 = "short", "gs1"
LINKS = (LINK_SHORT, LINK_GS1)


@dataclass(frozen=True)
class StampLabel:
    url: str
    serial: str
    product_name: str
    stars: int | None
    pin: str | None = None
    # The GS1 Digital Link form of the same stamp, when the pack has a GTIN.
    gs1_url: str | None = None
