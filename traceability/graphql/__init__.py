"""GraphQL for traceability: a seller's batches, provenance events and stamp runs (looked up
through memberships, like offers), and the public stamp check — the same verdict as the scan
page, computed by the same selectors and services, recorded and rate-limited the same way.

Decisions worth knowing when calling it:

- ``stamp(code)`` is a scan, like opening the page with GET: it is recorded (coarse place only)
  and counts toward the "scanned many times / far apart" anomalies. ``record: false`` answers
  without recording, like the page's HEAD — for a seller testing labels; it is rate-limited all
  the same.
- A stamp that is not recognised answers ``NOT_RECOGNISED`` and nothing else, so a forger learns
  nothing about products, batches or producers.
- ``stampRunCreate`` returns the run and, for a run with scratch-off PINs, the PINs — the only
  time they exist in clear (they are stored hashed). Over the API a PIN run holds at most
  ``PIN_RUN_API_MAX`` stamps, to keep that answer a sensible size; the labels themselves (PDF
  sheets, CSV for a printer) are downloaded from the paths the run gives, as in the workspace.
``types``, ``shaping`` (selection → queryset), ``queries`` (batches, and the stamp check) and
``mutations``.
"""
