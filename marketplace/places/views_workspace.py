"""The operator's points of sale in the seller workspace, under /seller/<slug>/diem-ban/.

The business comes from the user's memberships (``offers.views.Workspace``: a slug the user does
not belong to is a 404) and every point, exception or photo in the URL is looked up inside that
business. Views parse the form, call one service of ``places.services`` and render; the
services check the role again. Owners and managers edit; staff see the list and set the stock
of each point (the offers stock service, rows locked in id order), nothing else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from marketplace.offers.forms import StockGridForm
from marketplace.offers.selectors import stock_grid
from marketplace.offers.services import stock_set_many
from marketplace.offers.views import Workspace
from marketplace.places.forms import (
    ExceptionForm,
    HoursForm,
    PointForm,
    PointPhotoForm,
    StatusForm,
)
from marketplace.places.maps import map_tiles
from marketplace.places.models import OpeningException, PointOfSale, PointPhoto
from marketplace.places.selectors import point_open_state, points_for_operator
from marketplace.places.services import (
    location_exception_delete,
    location_exception_set,
    location_hours_set,
    point_create,
    point_photo_add,
    point_photo_move,
    point_photo_remove,
    point_status_set,
    point_update,
)


def _denied(request, ws: Workspace, message):
    return render(request, "workspace/offers/denied.html", ws.context(message=message), status=403)


def _managers_only(request, ws: Workspace):
    """The refusal a staff member gets on an editing page (the service would refuse the POST)."""
    if ws.can_manage:
        return None
    return _denied(request, ws, _("You do not have permission to do this for this business."))


def _redirect(name: str, *args):
    return HttpResponseRedirect(reverse(f"places_workspace:{name}", args=args))


def _point(ws: Workspace, pk: int) -> PointOfSale:
    return get_object_or_404(
        PointOfSale.objects.select_related("location__province", "location__business").filter(
            location__business=ws.business
        ),
        pk=pk,
    )


def _refused(error: DomainError) -> bool:
    return error.code == "permission_denied" and error.field is None


@login_required
def point_list(request, slug):
    ws = Workspace(request, slug)
    now = timezone.now()
    points = points_for_operator(business=ws.business, at=now)
    for point in points:
        point.open_state = point_open_state(point, at=now)
    return render(request, "workspace/places/point_list.html", ws.context(points=points))


def _point_fields(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "coordinates_approximate"}


@login_required
def point_create_view(request, slug):
    ws = Workspace(request, slug)
    if (refusal := _managers_only(request, ws)) is not None:
        return refusal
    form = PointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            point = point_create(
                actor=request.user,
                business=ws.business,
                coordinates_approximate=form.cleaned_data["coordinates_approximate"],
                **_point_fields(form.cleaned_data),
            )
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Point of sale created. Now set its opening hours."))
            return _redirect("point_hours", ws.business.slug, point.pk)
    return render(
        request,
        "workspace/places/point_form.html",
        ws.context(form=form, **map_tiles()),
        status=400 if form.errors else 200,
    )


def _edit_page(request, ws, point, *, status=200, **forms):
    context = ws.context(
        point=point,
        form=forms.get("form") or PointForm(initial=PointForm.initial_for(point)),
        status_form=forms.get("status_form")
        or StatusForm(
            initial={
                "status": point.status,
                "reason": point.closure_reason,
                "reopens_on": point.reopens_on,
            }
        ),
        photo_form=forms.get("photo_form") or PointPhotoForm(),
        photos=list(point.photos.order_by("position", "id")),
        open_state=point_open_state(point),
        **map_tiles(),
    )
    return render(request, "workspace/places/point_form.html", context, status=status)


@login_required
def point_edit(request, slug, pk):
    ws = Workspace(request, slug)
    if (refusal := _managers_only(request, ws)) is not None:
        return refusal
    point = _point(ws, pk)
    if request.method != "POST":
        return _edit_page(request, ws, point)
    form = PointForm(request.POST)
    if form.is_valid():
        try:
            point_update(
                actor=request.user,
                point=point,
                coordinates_approximate=form.cleaned_data["coordinates_approximate"],
                **_point_fields(form.cleaned_data),
            )
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Point of sale saved."))
            return _redirect("point_edit", ws.business.slug, point.pk)
    return _edit_page(request, ws, point, form=form, status=400)


@login_required
@require_POST
def point_status(request, slug, pk):
    """Close temporarily (with a reason buyers see), reopen, or close for good."""
    ws = Workspace(request, slug)
    point = _point(ws, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            point_status_set(actor=request.user, point=point, **form.cleaned_data)
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Status saved."))
            return _redirect("point_edit", ws.business.slug, point.pk)
    if not ws.can_manage:
        return _managers_only(request, ws)
    return _edit_page(request, ws, point, status_form=form, status=400)


@login_required
@require_POST
def point_photo_add_view(request, slug, pk):
    ws = Workspace(request, slug)
    if (refusal := _managers_only(request, ws)) is not None:
        return refusal
    point = _point(ws, pk)
    form = PointPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            point_photo_add(
                actor=request.user,
                point=point,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Photo added."))
            return _redirect("point_edit", ws.business.slug, point.pk)
    return _edit_page(request, ws, point, photo_form=form, status=400)


@login_required
@require_POST
def point_photo_remove_view(request, slug, pk, photo_pk):
    ws = Workspace(request, slug)
    point = _point(ws, pk)
    photo = get_object_or_404(PointPhoto.objects.filter(point=point), pk=photo_pk)
    try:
        point_photo_remove(actor=request.user, photo=photo)
    except DomainError as error:
        return _denied(request, ws, error.message)
    messages.success(request, _("Photo removed."))
    return _redirect("point_edit", ws.business.slug, point.pk)


@login_required
@require_POST
def point_photo_move_view(request, slug, pk, photo_pk):
    ws = Workspace(request, slug)
    point = _point(ws, pk)
    photo = get_object_or_404(PointPhoto.objects.filter(point=point), pk=photo_pk)
    try:
        point_photo_move(
            actor=request.user, photo=photo, direction=request.POST.get("direction", "")[:10]
        )
    except DomainError as error:
        if _refused(error):
            return _denied(request, ws, error.message)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Photo moved."))
    return _redirect("point_edit", ws.business.slug, point.pk)


def _hours_page(request, ws, point, *, status=200, hours_form=None, exception_form=None):
    location = point.location
    today = timezone.localdate()
    context = ws.context(
        point=point,
        hours_form=hours_form or HoursForm(hours=location.opening_hours.all()),
        exception_form=exception_form or ExceptionForm(),
        exceptions=list(location.opening_exceptions.filter(date__gte=today).order_by("date")),
    )
    return render(request, "workspace/places/point_hours.html", context, status=status)


@login_required
def point_hours(request, slug, pk):
    """Weekly hours (one line per day) and the dated exceptions (Tết, holidays)."""
    ws = Workspace(request, slug)
    if (refusal := _managers_only(request, ws)) is not None:
        return refusal
    point = _point(ws, pk)
    if request.method != "POST":
        return _hours_page(request, ws, point)
    if "date" in request.POST:
        form = ExceptionForm(request.POST)
        if form.is_valid():
            try:
                location_exception_set(
                    actor=request.user, location=point.location, **form.cleaned_data
                )
            except DomainError as error:
                if _refused(error):
                    return _denied(request, ws, error.message)
                form.add_service_errors(error)
            else:
                messages.success(request, _("Exception saved."))
                return _redirect("point_hours", ws.business.slug, point.pk)
        return _hours_page(request, ws, point, exception_form=form, status=400)
    form = HoursForm(request.POST, hours=point.location.opening_hours.all())
    if form.is_valid():
        try:
            location_hours_set(
                actor=request.user,
                location=point.location,
                intervals=form.cleaned_data["intervals"],
            )
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Opening hours saved."))
            return _redirect("point_hours", ws.business.slug, point.pk)
    return _hours_page(request, ws, point, hours_form=form, status=400)


@login_required
@require_POST
def point_exception_delete(request, slug, pk, exception_pk):
    ws = Workspace(request, slug)
    point = _point(ws, pk)
    exception = get_object_or_404(
        OpeningException.objects.filter(location=point.location), pk=exception_pk
    )
    try:
        location_exception_delete(actor=request.user, exception=exception)
    except DomainError as error:
        return _denied(request, ws, error.message)
    messages.success(request, _("Exception removed."))
    return _redirect("point_hours", ws.business.slug, point.pk)


@login_required
def point_stock(request, slug, pk):
    """The stock grid of one point (every role: counting stock is the staff's job)."""
    ws = Workspace(request, slug)
    point = _point(ws, pk)
    offers, _locations, cells = stock_grid(business=ws.business)
    locations = [point.location]
    form = StockGridForm(request.POST or None, offers=offers, locations=locations, cells=cells)
    if request.method == "POST" and form.is_valid():
        try:
            changed = stock_set_many(
                actor=request.user, business=ws.business, entries=form.entries()
            )
        except DomainError as error:
            if _refused(error):
                return _denied(request, ws, error.message)
            if error.code == "stale":
                offers, _locations, cells = stock_grid(business=ws.business)
                form = StockGridForm(offers=offers, locations=locations, cells=cells)
                messages.error(request, error.message)
            else:
                form.add_service_error(error)
        else:
            messages.success(request, _("Stock saved (%(count)s changed).") % {"count": changed})
            return _redirect("point_stock", ws.business.slug, point.pk)
    return render(
        request,
        "workspace/places/point_stock.html",
        ws.context(point=point, form=form, locations=locations),
    )
