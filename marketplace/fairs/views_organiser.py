"""The organiser's pages (``/to-chuc/<slug>/``): its fairs, and for each the applications to
review (waitlist, reject with a reason, accept on a booth), the waitlist and the booths. Every
member reads; owners and managers decide. Someone who is not a member of the (approved)
organiser gets 404, as if it did not exist."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import ProductSet
from core.errors import DomainError
from core.models import Province
from core.site import site_url
from marketplace.fairs.forms import ReviewFilterForm
from marketplace.fairs.models import (
    OPEN_APPLICATION,
    Booth,
    BoothAssignment,
    BoothStatus,
    ExhibitorApplication,
    Fair,
    FairStatus,
)
from marketplace.fairs.permissions import ROLES_MANAGE, organisers_for_user
from marketplace.fairs.rendering import booth_map_svg
from marketplace.fairs.selectors import (
    applications_for_review,
    booths_free,
    fair_page,
    fairs_of_organiser,
    waitlist_of,
)
from marketplace.fairs.services import (
    TRANSITIONS,
    application_reject,
    application_waitlist,
    booth_assign,
    booth_fee_mark_paid,
    booth_release,
)
from marketplace.fairs.signs import booth_signs_pdf
from sellers.errors import PermissionDenied


class OrganiserDesk:
    """The organiser a request is about, found through the user's memberships, and the role."""

    def __init__(self, request, slug: str):
        self.organiser = get_object_or_404(organisers_for_user(user=request.user), slug=slug)
        membership = self.organiser.memberships.filter(user=request.user).first()
        if membership is None:
            raise Http404
        self.role_label = membership.get_role_display()
        self.can_manage = membership.role in ROLES_MANAGE

    def context(self, **extra) -> dict:
        return {
            "organiser": self.organiser,
            "role_label": self.role_label,
            "can_manage": self.can_manage,
            **extra,
        }


def desk_denied(request, desk: OrganiserDesk, message):
    return render(request, "fairs/organiser/denied.html", desk.context(message=message), status=403)


@login_required
def organiser_home(request, slug):
    desk = OrganiserDesk(request, slug)
    return render(
        request,
        "fairs/organiser/home.html",
        desk.context(fairs=list(fairs_of_organiser(organiser=desk.organiser))),
    )


# The desk's buttons: each status the life cycle may move a fair to, named as an action.
STATUS_ACTIONS = {
    FairStatus.PUBLISHED: gettext_lazy("Publish"),
    FairStatus.APPLICATIONS_OPEN: gettext_lazy("Open applications"),
    FairStatus.APPLICATIONS_CLOSED: gettext_lazy("Close applications"),
    FairStatus.RUNNING: gettext_lazy("Mark as running"),
    FairStatus.FINISHED: gettext_lazy("Mark as finished"),
}


def status_actions(fair: Fair) -> list[tuple[str, str]]:
    """(status, button label) for each move the life cycle allows now (``TRANSITIONS``);
    cancelling has a form of its own, with the reason."""
    return [(to, STATUS_ACTIONS[to]) for to in TRANSITIONS[fair.status] if to in STATUS_ACTIONS]


@login_required
def organiser_fair(request, slug, fair_slug):
    """The review page: filtered applications, the waitlist, the free booths. Constant SQL."""
    desk = OrganiserDesk(request, slug)
    fair = get_object_or_404(
        Fair.objects.filter(organiser=desk.organiser).select_related("province"), slug=fair_slug
    )
    product_sets = ProductSet.objects.filter(
        products__variants__offers__fair_applications__fair=fair
    ).distinct()
    filters = ReviewFilterForm(
        request.GET or None,
        product_sets=list(product_sets.order_by("number", "pk")),
        provinces=list(Province.objects.order_by("name")),
    )
    data = filters.cleaned_data if filters.is_valid() else {}
    province = next(
        (p for p in filters.fields["province"].choices if p[0] == data.get("province")), None
    )
    rows = applications_for_review(
        fair=fair,
        status=data.get("status") or "",
        province=province[0] if province else None,
        product_set_id=data.get("product_set"),
        stars=data.get("stars"),
    )
    return render(
        request,
        "fairs/organiser/fair.html",
        desk.context(
            fair=fair,
            filters=filters,
            applications=rows,
            waitlist=list(waitlist_of(fair=fair)),
            free_booths=list(booths_free(fair=fair)),
            open_statuses=OPEN_APPLICATION,
            status_actions=status_actions(fair),
            can_cancel=FairStatus.CANCELLED in TRANSITIONS[fair.status],
        ),
    )


@login_required
def booth_signs_download(request, slug, fair_slug):
    """One A4 sign per assigned booth, as a PDF (every member of the organiser)."""
    desk = OrganiserDesk(request, slug)
    fair = get_object_or_404(Fair.objects.filter(organiser=desk.organiser), slug=fair_slug)
    page = fair_page(slug=fair.slug, public_only=False)
    out = io.BytesIO()
    try:
        booth_signs_pdf(page=page, origin=site_url(request), out=out)
    except ValueError:
        messages.error(request, _("No booth is assigned yet: there is no sign to print."))
        return _back(desk, fair.slug)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{fair.slug}-booth-signs.pdf"'
    return response


def _back(desk: OrganiserDesk, fair_slug: str):
    return HttpResponseRedirect(
        reverse("fairs_organiser:fair", args=[desk.organiser.slug, fair_slug])
    )


def _decide(request, slug, run, lookup):
    desk = OrganiserDesk(request, slug)
    target, fair_slug = lookup(desk)
    if not desk.can_manage:
        return desk_denied(request, desk, _("Only owners and managers review applications."))
    try:
        done = run(target)
    except PermissionDenied as error:
        return desk_denied(request, desk, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(desk, fair_slug)


def _application(pk):
    def lookup(desk):
        application = get_object_or_404(
            ExhibitorApplication.objects.filter(fair__organiser=desk.organiser).select_related(
                "fair__organiser", "seller"
            ),
            pk=pk,
        )
        return application, application.fair.slug

    return lookup


@login_required
@require_POST
def application_decide(request, slug, pk, action):
    if action == "waitlist":

        def run(application):
            application_waitlist(application=application, actor=request.user)
            return _("%(seller)s is on the waitlist.") % {"seller": application.seller.name}

    elif action == "reject":

        def run(application):
            application_reject(
                application=application, actor=request.user, reason=request.POST.get("reason", "")
            )
            return _("%(seller)s was told the application is rejected.") % {
                "seller": application.seller.name
            }

    elif action == "assign":

        def run(application):
            try:
                booth_id = int(request.POST.get("booth", ""))
            except ValueError:
                return _fail(_("Choose a booth."))
            booth = Booth.objects.filter(fair_id=application.fair_id, pk=booth_id).first()
            if booth is None:
                return _fail(_("Choose a booth."))
            booth_assign(application=application, booth=booth, actor=request.user)
            return _("Booth %(code)s assigned to %(seller)s.") % {
                "code": booth.code,
                "seller": application.seller.name,
            }

    else:
        raise Http404
    return _decide(request, slug, run, _application(pk))


def _fail(message):
    raise DomainError(message, code="required", field="booth")


def _live_assignment(pk):
    def lookup(desk):
        assignment = get_object_or_404(
            BoothAssignment.objects.filter(
                booth__fair__organiser=desk.organiser, released_at__isnull=True
            ).select_related("booth__fair__organiser", "application__seller"),
            pk=pk,
        )
        return assignment, assignment.booth.fair.slug

    return lookup


@login_required
@require_POST
def assignment_fee_paid(request, slug, pk):
    """The organiser received a booth fee by hand: the booth no longer expires."""

    def run(assignment):
        booth_fee_mark_paid(assignment=assignment, actor=request.user)
        return _("The fee for booth %(code)s is recorded as paid.") % {
            "code": assignment.booth.code
        }

    return _decide(request, slug, run, _live_assignment(pk))


@login_required
@require_POST
def assignment_release(request, slug, pk):
    lookup = _live_assignment(pk)

    def run(assignment):
        given = booth_release(assignment=assignment, actor=request.user)
        if given is not None:
            return _("Booth %(code)s released and offered to %(seller)s from the waitlist.") % {
                "code": assignment.booth.code,
                "seller": given.application.seller.name,
            }
        return _("Booth %(code)s released.") % {"code": assignment.booth.code}

    return _decide(request, slug, run, lookup)


def desk_fair(desk: OrganiserDesk, fair_slug: str) -> Fair:
    return get_object_or_404(
        Fair.objects.filter(organiser=desk.organiser).select_related("province"), slug=fair_slug
    )


@login_required
def desk_booth_map(request, slug, fair_slug):
    """The booth map on the desk. With ``?don=<application>`` (an open application of this fair)
    and a manager's role, each free booth is a link to the confirmation that assigns it to that
    application: no script needed. Constant SQL."""
    desk = OrganiserDesk(request, slug)
    fair = desk_fair(desk, fair_slug)
    page = fair_page(slug=fair.slug, public_only=False, products=False, programme=False)
    application = None
    if desk.can_manage and (chosen := request.GET.get("don", "")).isdigit():
        application = (
            ExhibitorApplication.objects.filter(
                fair=fair, pk=int(chosen), status__in=OPEN_APPLICATION
            )
            .select_related("seller", "preferred_zone")
            .first()
        )
    free = {b.pk for b in booths_free(fair=fair)} if application else set()
    for booth in page.booths:
        booth.pick_url = (
            reverse("fairs_organiser:assign_confirm", args=[slug, application.pk, booth.pk])
            if booth.pk in free
            else ""
        )
    return render(
        request,
        "fairs/organiser/booth_map.html",
        desk.context(
            fair=fair,
            application=application,
            free_count=len(free),
            map_svg=booth_map_svg(page, link_base=fair.get_absolute_url()),
        ),
    )


@login_required
def assign_confirm(request, slug, pk, booth_pk):
    """ "Assign booth A-03 to HTX …?": the page a free booth of the desk map links to. The form
    posts to ``application_decide`` (the assign service), so the rules and errors are the same."""
    desk = OrganiserDesk(request, slug)
    application = get_object_or_404(
        ExhibitorApplication.objects.filter(fair__organiser=desk.organiser).select_related(
            "fair", "seller__province", "preferred_zone"
        ),
        pk=pk,
    )
    booth = get_object_or_404(
        Booth.objects.filter(fair_id=application.fair_id).select_related("zone"), pk=booth_pk
    )
    if not desk.can_manage:
        return desk_denied(request, desk, _("Only owners and managers review applications."))
    return render(
        request,
        "fairs/organiser/assign_confirm.html",
        desk.context(
            fair=application.fair,
            application=application,
            booth=booth,
            is_free=booth.status in (BoothStatus.AVAILABLE, BoothStatus.HELD),
            is_open=application.status in OPEN_APPLICATION,
        ),
    )
