"""The organiser's pages that create and shape a fair (namespace "fairs_organiser"): the fair's
particulars, its status, its zones, its booths (in bulk, from a CSV layout, moved, blocked, held,
merged) and its programme. Every member reads; owners and managers change. Each form calls one
service: the rules, and the refusals shown on the fields, are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from marketplace.fairs.forms import (
    BoothMoveForm,
    BoothsBulkForm,
    FairForm,
    FairStatusForm,
    LayoutUploadForm,
    ProgrammeItemForm,
    ZoneForm,
)
from marketplace.fairs.layout import booth_layout_import
from marketplace.fairs.models import LAYOUT_EDITABLE, Booth, ProgrammeItem, Zone
from marketplace.fairs.selectors import booth_list, programme_of_fair
from marketplace.fairs.services import (
    booth_block,
    booth_merge,
    booth_move,
    booths_create_bulk,
    fair_create,
    fair_transition,
    fair_update,
    programme_item_add,
    programme_item_remove,
    zone_create,
    zone_update,
)
from marketplace.fairs.views_organiser import OrganiserDesk, desk_denied, desk_fair
from sellers.errors import PermissionDenied


def _only_managers(request, desk):
    return desk_denied(request, desk, _("Only owners and managers change a fair."))


def _to(name: str, *args) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(f"fairs_organiser:{name}", args=args))


# --- the fair -------------------------------------------------------------------------------


def _fair_form_page(request, desk, form, fair=None):
    return render(request, "fairs/organiser/fair_form.html", desk.context(form=form, fair=fair))


@login_required
def fair_new(request, slug):
    desk = OrganiserDesk(request, slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    form = FairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            fair = fair_create(
                organiser=desk.organiser, actor=request.user, **form.service_fields()
            )
        except PermissionDenied as error:
            return desk_denied(request, desk, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The fair is created as a draft."))
            return _to("fair", slug, fair.slug)
    return _fair_form_page(request, desk, form)


@login_required
def fair_edit(request, slug, fair_slug):
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    form = FairForm(
        request.POST or None, request.FILES or None, initial=FairForm.initial_from(fair)
    )
    if request.method == "POST" and form.is_valid():
        try:
            fair_update(fair=fair, actor=request.user, **form.service_fields())
        except PermissionDenied as error:
            return desk_denied(request, desk, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The fair is saved."))
            return _to("fair", slug, fair.slug)
    return _fair_form_page(request, desk, form, fair)


@login_required
@require_POST
def fair_status(request, slug, fair_slug):
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    form = FairStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return _to("fair", slug, fair.slug)
    try:
        fair = fair_transition(
            fair=fair,
            to=form.cleaned_data["to"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as error:
        return desk_denied(request, desk, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The fair is now “%(status)s”.") % {"status": fair.get_status_display()}
        )
    return _to("fair", slug, fair.slug)


# --- zones ----------------------------------------------------------------------------------


@login_required
def zones(request, slug, fair_slug):
    """The fair's zones, and a form to add one."""
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    form = ZoneForm(request.POST or None)
    if request.method == "POST":
        if not desk.can_manage:
            return _only_managers(request, desk)
        if form.is_valid():
            try:
                zone = zone_create(fair=fair, actor=request.user, **form.cleaned_data)
            except PermissionDenied as error:
                return desk_denied(request, desk, error.message)
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Zone “%(name)s” added.") % {"name": zone.name})
                return _to("zones", slug, fair.slug)
    return render(
        request,
        "fairs/organiser/zones.html",
        desk.context(
            fair=fair,
            zones=list(fair.zones.order_by("position", "id")),
            form=form,
            editable=fair.status in LAYOUT_EDITABLE,
        ),
    )


@login_required
def zone_edit(request, slug, pk):
    desk = OrganiserDesk(request, slug)
    zone = get_object_or_404(
        Zone.objects.filter(fair__organiser=desk.organiser).select_related("fair__organiser"),
        pk=pk,
    )
    if not desk.can_manage:
        return _only_managers(request, desk)
    form = ZoneForm(
        request.POST or None,
        initial={"name": zone.name, "kind": zone.kind, "colour": zone.colour},
    )
    if request.method == "POST" and form.is_valid():
        try:
            zone_update(zone=zone, actor=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            return desk_denied(request, desk, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The zone is saved."))
            return _to("zones", slug, zone.fair.slug)
    return render(
        request,
        "fairs/organiser/zone_form.html",
        desk.context(fair=zone.fair, zone=zone, form=form),
    )


# --- booths ---------------------------------------------------------------------------------


@login_required
def booths(request, slug, fair_slug):
    """Every booth of the fair with its zone, status and exhibitor; managers move, block, hold,
    free and merge them before the fair opens. Constant SQL."""
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    return render(
        request,
        "fairs/organiser/booths.html",
        desk.context(
            fair=fair,
            booths=booth_list(fair=fair),
            editable=fair.status in LAYOUT_EDITABLE,
        ),
    )


@login_required
def booths_bulk(request, slug, fair_slug):
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    fair_zones = list(fair.zones.order_by("position", "id"))
    form = BoothsBulkForm(request.POST or None, zones=fair_zones)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        zone = next(z for z in fair_zones if z.pk == data.pop("zone"))
        zone.fair = fair
        try:
            made = booths_create_bulk(zone=zone, actor=request.user, **data)
        except PermissionDenied as error:
            return desk_denied(request, desk, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(count)s booths created: %(first)s to %(last)s.")
                % {"count": len(made), "first": made[0].code, "last": made[-1].code},
            )
            return _to("booths", slug, fair.slug)
    return render(
        request,
        "fairs/organiser/booths_bulk.html",
        desk.context(fair=fair, form=form, has_zones=bool(fair_zones)),
    )


@login_required
def layout_upload(request, slug, fair_slug):
    """Import booths from a CSV layout: all or nothing, every row's error listed."""
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    form = LayoutUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = booth_layout_import(
                fair=fair, actor=request.user, content=form.cleaned_data["file"].read()
            )
        except PermissionDenied as error:
            return desk_denied(request, desk, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            if not report.errors:
                messages.success(
                    request, _("%(count)s booths imported.") % {"count": report.created}
                )
                return _to("booths", slug, fair.slug)
    return render(
        request,
        "fairs/organiser/layout_upload.html",
        desk.context(fair=fair, form=form, report=report),
    )


def _booth_change(request, slug, pk, run):
    desk = OrganiserDesk(request, slug)
    booth = get_object_or_404(
        Booth.objects.filter(fair__organiser=desk.organiser).select_related(
            "fair__organiser", "zone"
        ),
        pk=pk,
    )
    if not desk.can_manage:
        return _only_managers(request, desk)
    try:
        done = run(booth)
    except PermissionDenied as error:
        return desk_denied(request, desk, error.message)
    except DomainError as error:
        messages.error(request, f"{booth.code}: {error.message}")
    else:
        messages.success(request, done)
    return _to("booths", slug, booth.fair.slug)


@login_required
@require_POST
def booth_change(request, slug, pk, action):
    """One booth: ``move`` (to grid x, y), ``block``, ``hold`` (for a locality cluster) or
    ``free``."""
    if action == "move":

        def run(booth):
            form = BoothMoveForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Positions are 0 or more."), code="invalid", field="x")
            booth_move(booth=booth, actor=request.user, **form.cleaned_data)
            return _("Booth %(code)s moved.") % {"code": booth.code}

    elif action == "block":

        def run(booth):
            booth_block(booth=booth, actor=request.user, blocked=True)
            return _("Booth %(code)s is blocked.") % {"code": booth.code}

    elif action == "hold":

        def run(booth):
            held_for = request.POST.get("held_for", "").strip()
            if not held_for:
                raise DomainError(
                    _("Say which locality cluster the booth is held for."),
                    code="required",
                    field="held_for",
                )
            booth_block(booth=booth, actor=request.user, blocked=False, held_for=held_for)
            return _("Booth %(code)s is held for %(cluster)s.") % {
                "code": booth.code,
                "cluster": held_for,
            }

    elif action == "free":

        def run(booth):
            booth_block(booth=booth, actor=request.user, blocked=False)
            return _("Booth %(code)s is available.") % {"code": booth.code}

    else:
        raise Http404
    return _booth_change(request, slug, pk, run)


@login_required
@require_POST
def booths_merge(request, slug, fair_slug):
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    if not desk.can_manage:
        return _only_managers(request, desk)
    ids = [int(v) for v in request.POST.getlist("booth") if v.isdigit()]
    chosen = list(Booth.objects.filter(fair=fair, pk__in=ids).select_related("fair__organiser"))
    try:
        if len(chosen) != len(set(ids)):
            raise DomainError(_("Choose at least two booths to merge."), code="invalid")
        kept = booth_merge(booths=chosen, actor=request.user)
    except PermissionDenied as error:
        return desk_denied(request, desk, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Booths merged into %(code)s.") % {"code": kept.code})
    return _to("booths", slug, fair.slug)


# --- the programme --------------------------------------------------------------------------


@login_required
def programme(request, slug, fair_slug):
    """The fair's programme and the registry certificates announced at each item."""
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    form = ProgrammeItemForm(request.POST or None)
    if request.method == "POST":
        if not desk.can_manage:
            return _only_managers(request, desk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                programme_item_add(
                    fair=fair,
                    actor=request.user,
                    title=data["title"],
                    day=data["day"],
                    certificate_numbers=data["certificates"],
                )
            except PermissionDenied as error:
                return desk_denied(request, desk, error.message)
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Added to the programme."))
                return _to("programme", slug, fair.slug)
    return render(
        request,
        "fairs/organiser/programme.html",
        desk.context(fair=fair, items=programme_of_fair(fair=fair), form=form),
    )


@login_required
@require_POST
def programme_remove(request, slug, pk):
    desk = OrganiserDesk(request, slug)
    item = get_object_or_404(
        ProgrammeItem.objects.filter(fair__organiser=desk.organiser).select_related(
            "fair__organiser"
        ),
        pk=pk,
    )
    if not desk.can_manage:
        return _only_managers(request, desk)
    try:
        programme_item_remove(item=item, actor=request.user)
    except PermissionDenied as error:
        return desk_denied(request, desk, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” is off the programme.") % {"title": item.title})
    return _to("programme", slug, item.fair.slug)
