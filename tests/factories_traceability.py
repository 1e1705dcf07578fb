"""Factories for traceability tests: a producer's traced product, batches, events, stamps.

Batches, events and stamp runs are made through the services (so the certificate lookup,
signing keys and PIN hashing are the real ones); only scans of the past are written directly,
to build a history at chosen times and places.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from catalog.models import Certificate, Product, ProductVariant
from catalog.validators import gtin_check_digit
from sellers.models import Business, MembershipRole, SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    ProductVariantFactory,
    certified_product,
    province,
)
from traceability.models import Batch, Scan, Stamp, Verdict
from traceability.services import batch_create, provenance_event_record, stamp_run_create

_gtin_counter = iter(range(10_000, 10_000_000))


def gtin13() -> str:
    """A fresh GTIN-13 with the Vietnamese prefix 893 and a correct check digit."""
    body = f"893{next(_gtin_counter):09d}"
    return body + str(gtin_check_digit(body))


@dataclass
class Traced:
    holder: Business
    product: Product
    variant: ProductVariant
    certificate: Certificate
    owner: object
    manager: object
    staff: object
    batch: Batch


def traced_product(*, gtin: bool = True, lot_code: str = "L2611-A", **product_kwargs) -> Traced:
    """An active producer's certified product with one pack (GTIN-13 unless ``gtin=False``),
    its team (owner, manager, staff) and one batch produced on 1 Nov 2026."""
    holder = product_kwargs.pop("holder", None) or BusinessFactory(
        name="HTX Mật ong Tiên Yên", status=SellerStatus.ACTIVE
    )
    product_kwargs.setdefault("name", "Mật ong rừng Tiên Yên")
    product, _evaluation, certificate = certified_product(holder=holder, **product_kwargs)
    variant = ProductVariantFactory(product=product, name="Hũ 500 g", gtin=gtin13() if gtin else "")
    owner = MembershipFactory(business=holder, role=MembershipRole.OWNER).user
    batch = batch_create(
        actor=owner,
        variant=variant,
        lot_code=lot_code,
        produced_on=datetime.date(2026, 11, 1),
        expires_on=datetime.date(2028, 11, 1),
        quantity=500,
        origin_province=province("22"),
        origin_commune="xã Đồng Rui",
    )
    return Traced(
        holder=holder,
        product=product,
        variant=variant,
        certificate=certificate,
        owner=owner,
        manager=MembershipFactory(business=holder, role=MembershipRole.MANAGER).user,
        staff=MembershipFactory(business=holder, role=MembershipRole.STAFF).user,
        batch=batch,
    )


def stamps_for(traced: Traced, count: int = 1, *, with_pin: bool = False):
    """A run of ``count`` stamps for the traced batch: (run, stamps in id order, pins)."""
    run, pins = stamp_run_create(
        actor=traced.owner, batch=traced.batch, quantity=count, with_pin=with_pin
    )
    stamps = list(Stamp.objects.filter(run=run).select_related("run__batch").order_by("id"))
    return run, stamps, pins


def event_for(traced: Traced, *, step: str = "harvesting", hours_ago: int = 24, **kwargs):
    kwargs.setdefault("address", "Bản Khe Lặc, xã Đồng Rui")
    kwargs.setdefault("event_time", timezone.now() - datetime.timedelta(hours=hours_ago))
    return provenance_event_record(
        actor=traced.owner, business=traced.holder, batch=traced.batch, business_step=step, **kwargs
    )


def past_scan(stamp: Stamp, *, hours_ago: float, province_code: str | None = None, **kwargs):
    """A scan in the past (and the stamp's counters kept in step, as the service would)."""
    at = timezone.now() - datetime.timedelta(hours=hours_ago)
    scan = Scan.objects.create(
        stamp=stamp,
        scanned_at=at,
        province=province(province_code) if province_code else None,
        verdict=kwargs.pop("verdict", Verdict.GENUINE),
        **kwargs,
    )
    Stamp.objects.filter(pk=stamp.pk).update(scan_count=F("scan_count") + 1)
    first = stamp.first_scanned_at
    if first is None or at < first:
        Stamp.objects.filter(pk=stamp.pk).update(first_scanned_at=at)
    stamp.refresh_from_db()
    return scan
