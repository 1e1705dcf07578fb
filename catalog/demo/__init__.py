"""The demo catalogue: Quảng Ninh's real OCOP chains (plan of 2017) with invented scores.

Names of chains, product forms, producers and districts come from the two CSV files in
``catalog/data/demo/`` (Decision 2366/QĐ-UBND, 21/06/2017, copied here so the repository runs on
its own). Those files carry no scores, so every decision, evaluation and certificate made here is
invented, numbered ``DEMO-…`` and flagged ``is_demo`` together with the businesses and products,
so pages and the API can label them as demo data.

Everything is looked up by a natural key before it is created, so loading twice changes nothing;
dates are fixed (not relative to today) so a second run on another day finds the same rows.
Certificates change status only through ``catalog.services``.

In four modules: ``vocabulary`` (files, names, legal types, product sets, the product table),
``history`` (the invented decisions and scores), ``plan`` (the files read into a plan) and
``load`` (``demo_load``, the writes).
"""

from catalog.demo.history import CAM_VAN_YEN_CHOICES, DECISIONS, SCORES
from catalog.demo.load import DemoSummary, demo_load
from catalog.demo.plan import DemoPlan, demo_plan
from catalog.demo.vocabulary import (
    producer_key,
    product_set_guess,
    product_table_read,
)

__all__ = [
    "CAM_VAN_YEN_CHOICES",
    "DECISIONS",
    "SCORES",
    "DemoPlan",
    "DemoSummary",
    "demo_load",
    "demo_plan",
    "producer_key",
    "product_set_guess",
    "product_table_read",
]
