"""Seller workspace pages for traceability, under /seller/<slug>/: batches, their provenance
timeline, stamp runs and the stamp files to print.

Like every workspace page, the business is resolved through the signed-in user's memberships
(``marketplace.offers.views.Workspace``: another business's slug is a 404), and every batch, event,
run or stamp in the URL is looked up inside that business's batches. Views parse input, call one
service and render; the services check roles again.

Roles: every member sees batches and timelines and records events (the service allows it);
owners and managers create batches and order stamps (the services refuse staff). Stamp files
(PDF sheets, CSV, PNG, SVG) let whoever holds them print genuine-looking labels, so only owners
and managers download them.

Scratch-off PINs are stored hashed and derived from ``STAMP_PIN_KEY`` (``signing.pin_derive``):
every run, with or without PINs and of any size, is drawn in the background as one PDF and the
CSV (``services.prints``), downloaded from the run's page — one path for every run. A run with
PINs carries them in both files, which only owners and managers download.
"""

import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import ProductVariant
from core.printing.qr import qr_png, qr_svg
from core.uploads import UploadRejected
from marketplace.offers.models import StockLocation
from marketplace.offers.views import Workspace
from sellers.errors import SellerError
from traceability.epcis import batch_epcis_document
from traceability.errors import TraceabilityError
from traceability.forms import (
    LINK_GS1,
    LINK_SHORT,
    BatchForm,
    CartonForm,
    EventForm,
    SheetForm,
    StampRunForm,
    TransformationForm,
)
from traceability.models import Batch, Carton, ProvenanceEvent, Stamp, StampRun, StampRunPrint
from traceability.printing import SHEET_LAYOUT_DEFAULT
from traceability.selectors import (
    batch_cartons,
    batch_timeline,
    batch_used_in,
    batches_of_business,
    batches_recordable_by,
    stamp_run_print_progress,
    stamp_run_prints,
    stamp_run_stamps,
)
from traceability.services import (
    LotQuantity,
    batch_create,
    batch_transformation_record,
    carton_pack,
    carton_unpack,
    provenance_event_correct,
    provenance_event_record,
    stamp_run_order,
    stamp_run_print_start,
)
from traceability.signing import stamp_url_gs1, stamp_url_short

STAMPS_PER_PAGE = 100


def _denied(request, ws: Workspace, message):
    return render(request, "workspace/offers/denied.html", ws.context(message=message), status=403)


def _denied_files(request, ws: Workspace):
    return _denied(request, ws, _("Only owners and managers can download stamp files."))


def _service_error(request, ws: Workspace, form, error):
    """A refusal of the whole action is a 403 page; a rule about one input goes on the form."""
    if isinstance(error, SellerError) and error.code == "permission_denied":
        return _denied(request, ws, error.message)
    form.add_service_error(error)
    return None


def _own_batch(ws: Workspace, pk: int) -> Batch:
    return get_object_or_404(batches_of_business(business=ws.business), pk=pk)


def _recordable_batch(ws: Workspace, pk: int) -> Batch:
    """The holder's batch, or one an authorised reseller records its own events on."""
    return get_object_or_404(batches_recordable_by(business=ws.business), pk=pk)


def _own_run(ws: Workspace, pk: int) -> StampRun:
    return get_object_or_404(
        StampRun.objects.filter(batch__variant__product__holder=ws.business).select_related(
            "batch__variant__product", "batch__certificate"
        ),
        pk=pk,
    )


# --- batches -----------------------------------------------------------------------------------


@login_required
def batch_list(request, slug):
    ws = Workspace(request, slug)
    stamps = (
        StampRun.objects.filter(batch=OuterRef("pk"))
        .values("batch")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    batches = (
        batches_of_business(business=ws.business)
        .annotate(
            event_count=Count("events"),
            stamp_count=Coalesce(Subquery(stamps, output_field=IntegerField()), 0),
        )
        .order_by("-produced_on", "-id")
    )
    return render(request, "traceability/workspace/batch_list.html", ws.context(batches=batches))


@login_required
def batch_create_view(request, slug):
    ws = Workspace(request, slug)
    if not ws.can_manage:
        return _denied(request, ws, _("Only owners and managers record batches."))
    variants = ProductVariant.objects.filter(product__holder=ws.business).select_related("product")
    form = BatchForm(request.POST or None, variants=variants.order_by("product__name", "name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batch_create(
                actor=request.user,
                variant=data["variant"],
                lot_code=data["lot_code"],
                produced_on=data["produced_on"],
                expires_on=data["expires_on"],
                quantity=data["quantity"],
                origin_province=data["origin_province"],
                origin_commune=data["origin_commune"],
            )
        except (TraceabilityError, SellerError) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            messages.success(request, _("Batch recorded. Add its provenance events."))
            return redirect("traceability_workspace:batch_detail", ws.business.slug, batch.pk)
    return render(request, "traceability/workspace/batch_form.html", ws.context(form=form))


def _event_form(ws: Workspace, request=None, **kwargs) -> EventForm:
    locations = StockLocation.objects.filter(business=ws.business).order_by("name")
    if request is not None and request.method == "POST":
        return EventForm(request.POST, request.FILES, locations=locations, **kwargs)
    return EventForm(locations=locations, **kwargs)


def _event_arguments(form: EventForm) -> dict:
    data = form.cleaned_data
    return {
        "business_step": data["business_step"],
        "event_time": data["event_time"],
        "event_type": data["event_type"],
        "disposition": data["disposition"],
        "address": data["address"],
        "location": data["location"],
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "note": data["note"],
        "photo": data["photo"],
        "quantity": data["quantity"],
        "unit": data["unit"],
    }


@login_required
def batch_detail(request, slug, pk):
    """The batch, its timeline (corrections shown next to what they correct) and the form to
    record the next event (POST here)."""
    ws = Workspace(request, slug)
    batch = _recordable_batch(ws, pk)
    form = _event_form(ws, request)
    if request.method == "POST" and form.is_valid():
        try:
            provenance_event_record(
                actor=request.user, business=ws.business, batch=batch, **_event_arguments(form)
            )
        except (TraceabilityError, SellerError, UploadRejected) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            messages.success(request, _("Event recorded."))
            return redirect("traceability_workspace:batch_detail", ws.business.slug, batch.pk)
    return render(
        request,
        "traceability/workspace/batch_detail.html",
        ws.context(
            batch=batch,
            timeline=batch_timeline(batch=batch),
            used_in=batch_used_in(batch=batch),
            form=form,
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def batch_epcis(request, slug, pk):
    """The batch's events as an EPCIS 2.0 document, for the business's traceability partners."""
    ws = Workspace(request, slug)
    batch = _recordable_batch(ws, pk)
    response = JsonResponse(
        batch_epcis_document(batch=batch), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Type"] = "application/ld+json"
    response["Content-Disposition"] = f'inline; filename="epcis-{_file_stem_batch(batch)}.jsonld"'
    return response


def _file_stem_batch(batch: Batch) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", batch.lot_code).strip("-") or str(batch.pk)


@login_required
def event_correct(request, slug, pk, event_pk):
    """Correct an event: a new event replaces it on the timeline; the original stays, marked."""
    ws = Workspace(request, slug)
    batch = _recordable_batch(ws, pk)
    event = get_object_or_404(ProvenanceEvent.objects.filter(batch=batch), pk=event_pk)
    form = _event_form(ws, request, initial=EventForm.initial_from(event), correcting=event)
    if request.method == "POST" and form.is_valid():
        try:
            provenance_event_correct(
                actor=request.user, business=ws.business, event=event, **_event_arguments(form)
            )
        except (TraceabilityError, SellerError, UploadRejected) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            messages.success(request, _("Correction recorded; the original stays on the record."))
            return redirect("traceability_workspace:batch_detail", ws.business.slug, batch.pk)
    return render(
        request,
        "traceability/workspace/event_correct.html",
        ws.context(batch=batch, event=event, form=form),
    )


@login_required
def batch_transformation(request, slug, pk):
    """Record what this lot was made from: other lots of the producer, with the quantities
    used, and how much of this lot came out (a transformation event on its timeline)."""
    ws = Workspace(request, slug)
    batch = _own_batch(ws, pk)
    locations = StockLocation.objects.filter(business=ws.business).order_by("name")
    inputs = (
        batches_of_business(business=ws.business)
        .exclude(pk=batch.pk)
        .order_by("-produced_on", "-id")
    )
    form = TransformationForm(request.POST or None, locations=locations, batches=inputs)
    if request.method == "POST" and form.is_valid():
        try:
            batch_transformation_record(
                actor=request.user,
                business=ws.business,
                output=batch,
                inputs=[LotQuantity(*row) for row in form.input_rows()],
                quantity=form.cleaned_data["quantity"],
                unit=form.cleaned_data["unit"],
                **form.where_when(),
            )
        except (TraceabilityError, SellerError) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            messages.success(request, _("Recorded what this lot was made from."))
            return redirect("traceability_workspace:batch_detail", ws.business.slug, batch.pk)
    return render(
        request,
        "traceability/workspace/batch_transformation.html",
        ws.context(batch=batch, form=form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def batch_carton(request, slug, pk):
    """Pack items of this lot into a carton (a new one, or one by its code), or take them out;
    the cartons holding its stamped items now are listed."""
    ws = Workspace(request, slug)
    batch = _recordable_batch(ws, pk)
    locations = StockLocation.objects.filter(business=ws.business).order_by("name")
    form = CartonForm(
        request.POST or None,
        locations=locations,
        cartons=Carton.objects.filter(business=ws.business),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "actor": request.user,
            "business": ws.business,
            "batch": batch,
            "carton": data["carton"],
            "serials": data["serials"],
            "quantity": data["quantity"],
            "unit": data["unit"],
            **form.where_when(),
        }
        try:
            if data["action"] == "DELETE":
                event = carton_unpack(**arguments)
            else:
                event = carton_pack(**arguments)
        except (TraceabilityError, SellerError) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            if data["action"] == "DELETE":
                messages.success(
                    request, _("Taken out of carton %(code)s.") % {"code": event.carton.code}
                )
            else:
                messages.success(
                    request, _("Packed into carton %(code)s.") % {"code": event.carton.code}
                )
            return redirect("traceability_workspace:batch_carton", ws.business.slug, batch.pk)
    return render(
        request,
        "traceability/workspace/batch_carton.html",
        ws.context(batch=batch, form=form, cartons=batch_cartons(batch=batch)),
        status=400 if request.method == "POST" else 200,
    )


# --- stamp runs ----------------------------------------------------------------------------------


@login_required
def stamp_run_list(request, slug, pk):
    ws = Workspace(request, slug)
    batch = _own_batch(ws, pk)
    runs = list(StampRun.objects.filter(batch=batch).order_by("-created_at", "-id"))
    return render(
        request, "traceability/workspace/stamp_run_list.html", ws.context(batch=batch, runs=runs)
    )


def _stamp_url(stamp: Stamp, link: str) -> str:
    """The URL a printed QR code carries: the GS1 Digital Link when asked for and the pack has
    a GTIN, else the short link (which every stamp has)."""
    return (link == LINK_GS1 and stamp_url_gs1(stamp)) or stamp_url_short(stamp)


def _run_stamps(run: StampRun):
    return stamp_run_stamps(run=run)


@login_required
def stamp_run_create_view(request, slug, pk):
    ws = Workspace(request, slug)
    batch = _own_batch(ws, pk)
    if not ws.can_manage:
        return _denied(request, ws, _("Only owners and managers order stamps."))
    form = StampRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                order = stamp_run_order(
                    actor=request.user,
                    batch=batch,
                    quantity=data["quantity"],
                    with_pin=data["with_pin"],
                    submission=data["submission"] or uuid.uuid4(),
                    layout=data["layout"],
                )
                run = order.run
        except (TraceabilityError, SellerError) as error:
            denied = _service_error(request, ws, form, error)
            if denied:
                return denied
        else:
            if order.repeated:
                messages.info(
                    request,
                    _("This form had already ordered these stamps: no second run was ordered."),
                )
            else:
                messages.success(
                    request,
                    _("%(count)s stamps ordered. Download the sheets below.")
                    % {"count": f"{run.quantity:,}".replace(",", ".")},
                )
            # The run's own page (not the form again: a reload there would resend the order).
            url = redirect("traceability_workspace:stamp_run_detail", ws.business.slug, run.pk)
            url["Location"] += f"?layout={data['layout']}"
            return url
    return render(
        request,
        "traceability/workspace/stamp_run_form.html",
        ws.context(batch=batch, form=form),
    )


@login_required
def stamp_run_detail(request, slug, run_pk):
    """The stamps of a run, 100 a page, each with its PNG and SVG."""
    ws = Workspace(request, slug)
    run = _own_run(ws, run_pk)
    page = Paginator(_run_stamps(run), STAMPS_PER_PAGE).get_page(request.GET.get("page"))
    sheets = SheetForm(request.GET or None)
    layout = sheets.cleaned_data["layout"] if sheets.is_valid() else SHEET_LAYOUT_DEFAULT
    link = sheets.cleaned_data["link"] if sheets.is_valid() else LINK_SHORT
    prints = list(stamp_run_prints(run=run))
    for stamp in page:
        stamp.run = run  # the URL's signature needs the run's key: no query per stamp
        # Shown, not linked: opening the scan page records a scan, which only buyers should do.
        stamp.url = _stamp_url(stamp, link)
    return render(
        request,
        "traceability/workspace/stamp_run_detail.html",
        ws.context(
            batch=run.batch,
            run=run,
            page=page,
            sheets=sheets,
            layout=layout,
            link=link,
            prints=prints,
            # The page reloads itself (no JavaScript needed) while a file is being drawn.
            refresh=any(p.progress["running"] for p in prints),
        ),
    )


@login_required
@require_POST
def stamp_run_print_create(request, slug, run_pk):
    """Draw the whole run as one PDF (and the CSV) on the chosen sheet, in the background."""
    ws = Workspace(request, slug)
    run = _own_run(ws, run_pk)
    if not ws.can_manage:
        return _denied_files(request, ws)
    sheets = SheetForm(request.POST)
    if not sheets.is_valid():
        raise Http404
    try:
        stamp_run_print_start(
            actor=request.user,
            run=run,
            layout=sheets.cleaned_data["layout"],
            link=sheets.cleaned_data["link"],
        )
    except (TraceabilityError, SellerError) as error:
        return _denied(request, ws, error.message)
    messages.success(request, _("The PDF is being prepared; this page shows when it is ready."))
    return redirect("traceability_workspace:stamp_run_detail", ws.business.slug, run.pk)


@login_required
def stamp_run_print_file(request, slug, run_pk, print_pk, kind):
    """A finished print's PDF or CSV (the job's output file): owners and managers only."""
    ws = Workspace(request, slug)
    run = _own_run(ws, run_pk)
    if not ws.can_manage:
        return _denied_files(request, ws)
    stamp_print = get_object_or_404(
        StampRunPrint.objects.filter(run=run).select_related("job").prefetch_related("job__files"),
        pk=print_pk,
    )
    stored = stamp_run_print_progress(stamp_print=stamp_print, quantity=run.quantity).get(kind)
    if stored is None:
        raise Http404
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type="application/pdf" if kind == "pdf" else "text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _own_stamp(ws: Workspace, run_pk: int, serial: str) -> Stamp:
    run = _own_run(ws, run_pk)
    stamp = get_object_or_404(
        Stamp.objects.filter(run=run).only("id", "serial", "run_id"), serial=serial
    )
    stamp.run = run
    return stamp


@login_required
def stamp_png(request, slug, run_pk, serial):
    ws = Workspace(request, slug)
    stamp = _own_stamp(ws, run_pk, serial)
    if not ws.can_manage:
        return _denied_files(request, ws)
    url = _stamp_url(stamp, request.GET.get("link", LINK_SHORT))
    response = HttpResponse(qr_png(url=url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{stamp.serial}.png"'
    return response


@login_required
def stamp_svg(request, slug, run_pk, serial):
    ws = Workspace(request, slug)
    stamp = _own_stamp(ws, run_pk, serial)
    if not ws.can_manage:
        return _denied_files(request, ws)
    url = _stamp_url(stamp, request.GET.get("link", LINK_SHORT))
    response = HttpResponse(qr_svg(url=url), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{stamp.serial}.svg"'
    return response
