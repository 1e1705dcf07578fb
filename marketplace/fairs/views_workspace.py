"""The seller's fair pages in its workspace (``/seller/<slug>/hoi-cho/``): the fairs taking
applications, its applications and their booths, applying (or editing an open application) and
withdrawing. Owners and managers act; staff read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.rules import certificate_newest_in_force
from core.errors import DomainError
from marketplace.fairs.forms import ApplicationForm
from marketplace.fairs.models import OPEN_APPLICATION, ApplicationStatus, ExhibitorApplication
from marketplace.fairs.selectors import (
    applications_of_seller,
    booth_fee_qr_svg,
    fairs_taking_applications,
)
from marketplace.fairs.services import (
    application_submit,
    application_update,
    application_withdraw,
)
from marketplace.offers.models import Offer
from marketplace.offers.selectors import offers_visible
from marketplace.offers.views import Workspace
from sellers.errors import PermissionDenied

EDITABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED)


def _denied(request, ws: Workspace, message):
    return render(request, "workspace/offers/denied.html", ws.context(message=message), status=403)


def _to_list(ws: Workspace):
    return HttpResponseRedirect(reverse("fairs_workspace:applications", args=[ws.business.slug]))


@login_required
def applications(request, slug):
    """The seller's applications (three queries) and the fairs it may still apply to (one)."""
    ws = Workspace(request, slug)
    mine = list(applications_of_seller(seller=ws.business))
    for application in mine:
        for assignment in application.live_assignments:
            if assignment.fee_state == "due":
                assignment.qr_svg = booth_fee_qr_svg(assignment=assignment)
    open_fair_ids = {a.fair_id for a in mine if a.status in OPEN_APPLICATION}
    return render(
        request,
        "fairs/workspace/applications.html",
        ws.context(
            applications=mine,
            editable=EDITABLE,
            fairs=[f for f in fairs_taking_applications() if f.pk not in open_fair_ids],
        ),
    )


def _offers_for(ws: Workspace, fair) -> list[Offer]:
    """The seller's visible offers, each flagged when its product's certificate lapses before the
    fair's last day (the organiser sees the same flag)."""
    day = fair.ends_on or fair.starts_on
    offers = list(
        offers_visible()
        .filter(seller=ws.business)
        .select_related("variant__product")
        .prefetch_related("variant__product__certificates")
        .order_by("variant__product__name", "variant__name", "pk")
    )
    for offer in offers:
        offer.lapsing = day is not None and (
            certificate_newest_in_force(offer.variant.product.certificates.all(), day) is None
        )
    return offers


@login_required
def apply(request, slug, fair_slug):
    """Apply to a fair, or edit the open application while the window is open."""
    ws = Workspace(request, slug)
    fair = get_object_or_404(fairs_taking_applications(), slug=fair_slug)
    if not ws.can_manage:
        return _denied(request, ws, _("Only owners and managers apply to fairs."))
    current = (
        ExhibitorApplication.objects.filter(fair=fair, seller=ws.business, status__in=EDITABLE)
        .prefetch_related("offers")
        .first()
    )
    offers = _offers_for(ws, fair)
    zones = list(fair.zones.order_by("position", "id"))
    initial = {"booths_wanted": 1}
    if current is not None:
        initial = {
            "offers": [o.pk for o in current.offers.all()],
            "preferred_zone": current.preferred_zone_id,
            "booths_wanted": current.booths_wanted,
            "note": current.note,
        }
    form = ApplicationForm(request.POST or None, initial=initial, offers=offers, zones=zones)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        zone = next((z for z in zones if z.pk == data["preferred_zone"]), None)
        try:
            if current is None:
                application_submit(
                    fair=fair,
                    seller=ws.business,
                    actor=request.user,
                    offer_ids=data["offers"],
                    booths_wanted=data["booths_wanted"],
                    preferred_zone=zone,
                    note=data["note"],
                    language=get_language() or "vi",
                )
            else:
                application_update(
                    application=current,
                    actor=request.user,
                    offer_ids=data["offers"],
                    booths_wanted=data["booths_wanted"],
                    preferred_zone=zone,
                    note=data["note"],
                )
        except PermissionDenied as error:
            return _denied(request, ws, error.message)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Application to %(fair)s sent.") % {"fair": fair.name}
                if current is None
                else _("Application to %(fair)s saved.") % {"fair": fair.name},
            )
            return _to_list(ws)
    return render(
        request,
        "fairs/workspace/apply.html",
        ws.context(
            fair=fair,
            form=form,
            offers=offers,
            zones=zones,
            current=current,
            chosen={str(v) for v in (form["offers"].value() or [])},
            today=timezone.localdate(),
        ),
    )


@login_required
@require_POST
def withdraw(request, slug, pk):
    ws = Workspace(request, slug)
    application = get_object_or_404(
        ExhibitorApplication.objects.filter(seller=ws.business).select_related("fair"), pk=pk
    )
    try:
        application_withdraw(application=application, actor=request.user)
    except PermissionDenied as error:
        return _denied(request, ws, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Application to %(fair)s withdrawn.") % {"fair": application.fair.name}
        )
    return _to_list(ws)
