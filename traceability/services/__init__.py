"""Traceability writes: ``batches`` (batches and their provenance events) and ``stamps``
(stamp runs, scans and PIN checks, with their rate limits) and ``prints`` (a run's PDF and CSV
drawn in the background). Callers import from here; a test
that replaces a rate limit patches it where it is used (``traceability.services.stamps``).
"""

from traceability.services.batches import (
    BATCH_QUANTITY_MAX,
    EVENT_CLOCK_SKEW,
    MOVEMENT_EVENT_TYPES,
    NOTE_MAX,
    batch_create,
    certificate_in_force_on,
    provenance_event_correct,
    provenance_event_record,
)
from traceability.services.movements import (
    PACK_SERIALS_MAX,
    TRANSFORMATION_INPUTS_MAX,
    LotQuantity,
    batch_transformation_record,
    carton_pack,
    carton_unpack,
)
from traceability.services.prints import (
    stamp_run_file_stem,
    stamp_run_print_render,
    stamp_run_print_start,
)
from traceability.services.stamps import (
    PIN_PER_CLIENT,
    PIN_PER_STAMP,
    PIN_PER_STAMP_AND_CLIENT,
    SCAN_PER_CLIENT,
    STAMP_CHUNK,
    PinResult,
    PinStatus,
    StampRunOrder,
    stamp_check_allowance,
    stamp_pin_check,
    stamp_run_create,
    stamp_run_order,
    stamp_run_void,
    stamp_scan_record,
)

__all__ = [
    "BATCH_QUANTITY_MAX",
    "EVENT_CLOCK_SKEW",
    "MOVEMENT_EVENT_TYPES",
    "NOTE_MAX",
    "PACK_SERIALS_MAX",
    "PIN_PER_CLIENT",
    "PIN_PER_STAMP",
    "PIN_PER_STAMP_AND_CLIENT",
    "SCAN_PER_CLIENT",
    "STAMP_CHUNK",
    "TRANSFORMATION_INPUTS_MAX",
    "LotQuantity",
    "PinResult",
    "PinStatus",
    "StampRunOrder",
    "batch_create",
    "batch_transformation_record",
    "carton_pack",
    "carton_unpack",
    "certificate_in_force_on",
    "provenance_event_correct",
    "provenance_event_record",
    "stamp_check_allowance",
    "stamp_pin_check",
    "stamp_run_create",
    "stamp_run_file_stem",
    "stamp_run_order",
    "stamp_run_print_render",
    "stamp_run_print_start",
    "stamp_run_void",
    "stamp_scan_record",
]
