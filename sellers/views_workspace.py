"""Seller pages: claiming and applying, activation, team, invitations, API tokens.

Every page about one business finds it through the signed-in user's memberships
(``businesses_for_user(...).get(slug=...)``): someone who is not a member — a buyer, a member of
another business, marketplace staff (the admin is their tool) — gets a 404 and learns nothing,
and nothing changes. A member whose role does not allow an action gets a 403 page. The services
check the role again, so a page that forgot to would still change nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sellers.errors import PermissionDenied, SellerError
from sellers.forms import (
    ActivateForm,
    ApiTokenForm,
    ApplyForm,
    ClaimForm,
    InviteForm,
    RoleForm,
    add_service_error,
)
from sellers.models import Business, Membership, MembershipRole, SellerStatus
from sellers.selectors import (
    ROLES_MANAGE,
    ROLES_OWNER,
    api_tokens_of_business,
    businesses_for_user,
    invitation_for_token,
    invitations_pending,
    membership_get,
    memberships_of_business,
)
from sellers.services import (
    api_token_create,
    api_token_revoke,
    business_activate,
    invitation_accept,
    membership_invite,
    membership_remove,
    membership_role_change,
    seller_application_submit_claim,
    seller_application_submit_new,
)


class RoleRequired(Exception):
    """The member's role does not allow the action (rendered as a 403 page)."""


def _workspace(request, slug: str) -> tuple[Business, Membership]:
    """The business ``slug`` and the user's membership of it, or 404 for everyone else."""
    business = get_object_or_404(
        businesses_for_user(user=request.user).select_related("province"), slug=slug
    )
    membership = membership_get(user=request.user, business=business)
    if membership is None:  # removed between the two queries
        raise Http404
    return business, membership


def _require(membership: Membership, roles) -> None:
    if membership.role not in roles:
        raise RoleRequired


def _forbidden(request, business: Business, message: str | None = None):
    return render(
        request,
        "workspace/sellers/forbidden.html",
        {
            "business": business,
            "message": message or _("Your role in this business does not allow this."),
        },
        status=403,
    )


def _workspace_view(roles=None):
    """login_required + business resolution + role check, for views taking (request, slug, …).

    The view receives ``business`` and ``membership`` instead of the slug.
    """

    def decorate(view):
        @login_required
        def wrapper(request, slug, *args, **kwargs):
            business, membership = _workspace(request, slug)
            try:
                if roles is not None:
                    _require(membership, roles)
                return view(request, business, membership, *args, **kwargs)
            except (RoleRequired, PermissionDenied) as exc:
                return _forbidden(request, business, getattr(exc, "message", None))

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


# --- claiming and applying ----------------------------------------------------------------------


@login_required
def claim(request, slug):
    """Claim a business the registry import created. Public businesses are found by slug here:
    the claimant is not a member yet, and the service refuses anything but an unclaimed one."""
    business = get_object_or_404(Business.objects.select_related("province"), slug=slug)
    form = ClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            seller_application_submit_claim(
                user=request.user,
                business=business,
                language=request.LANGUAGE_CODE,
                **form.cleaned_data,
            )
        except SellerError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Your claim of %(business)s was sent. We will email you after review.")
                % {"business": business.name},
            )
            return redirect("account:my_account")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workspace/sellers/claim.html",
        {
            "business": business,
            "form": form,
            "claimable": business.status == SellerStatus.UNCLAIMED,
        },
        status=status,
    )


@login_required
def apply(request):
    form = ApplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application = seller_application_submit_new(
                user=request.user, language=request.LANGUAGE_CODE, **form.cleaned_data
            )
        except SellerError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Your application for %(business)s was sent. We will email you after review.")
                % {"business": application.business.name},
            )
            return redirect("account:my_account")
    status = 400 if request.method == "POST" else 200
    return render(request, "workspace/sellers/apply.html", {"form": form}, status=status)


@_workspace_view()
def activate(request, business, membership):
    """ "Start selling": an owner of a verified business accepts the seller terms. Other members
    see where the business stands."""
    form = ActivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(membership, ROLES_OWNER)
        if form.is_valid():
            try:
                business_activate(business=business, user=request.user)
            except SellerError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your business is now an active seller."))
                return redirect("seller:activate", business.slug)
    return render(
        request,
        "workspace/sellers/activate.html",
        {
            "business": business,
            "membership": membership,
            "form": form,
            "can_activate": membership.role == MembershipRole.OWNER
            and business.status == SellerStatus.VERIFIED,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- team ---------------------------------------------------------------------------------------


def _team_page(request, business, membership, *, invite_form=None, status=200):
    is_owner = membership.role == MembershipRole.OWNER
    return render(
        request,
        "workspace/sellers/team.html",
        {
            "business": business,
            "membership": membership,
            "members": memberships_of_business(business=business),
            "invitations": invitations_pending(business=business) if is_owner else [],
            "is_owner": is_owner,
            "invite_form": invite_form or InviteForm(),
            "roles": MembershipRole.choices,
        },
        status=status,
    )


@_workspace_view()
def team(request, business, membership):
    return _team_page(request, business, membership)


@_workspace_view(roles=ROLES_OWNER)
@require_POST
def team_invite(request, business, membership):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _raw = membership_invite(
                business=business, inviter=request.user, **form.cleaned_data
            )
        except SellerError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("seller:team", business.slug)
    return _team_page(request, business, membership, invite_form=form, status=400)


def _team_member(business, membership_id) -> Membership:
    # Looked up inside the business already resolved through the actor's membership: an id
    # from another business is a 404, never someone else's team.
    return get_object_or_404(memberships_of_business(business=business), pk=membership_id)


@_workspace_view(roles=ROLES_OWNER)
@require_POST
def member_role(request, business, membership, membership_id):
    member = _team_member(business, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("seller:team", business.slug)
    try:
        membership_role_change(
            actor=request.user, membership=member, role=form.cleaned_data["role"]
        )
    except SellerError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(person)s's role was changed.") % {"person": member.user.email}
        )
    return redirect("seller:team", business.slug)


@_workspace_view(roles=ROLES_OWNER)
@require_POST
def member_remove(request, business, membership, membership_id):
    member = _team_member(business, membership_id)
    try:
        membership_remove(actor=request.user, membership=member)
    except SellerError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
        return redirect("seller:team", business.slug)
    messages.success(request, _("%(person)s was removed.") % {"person": member.user.email})
    if member.pk == membership.pk:  # an owner who left no longer sees the team page
        return redirect("account:my_account")
    return redirect("seller:team", business.slug)


@login_required
def invitation(request, token):
    """The emailed link. Signing in comes first (login_required keeps the link as ``next``);
    then one button accepts. Only the invited email can accept (checked by the service)."""
    found = invitation_for_token(token=token)
    error = None
    if request.method == "POST":
        try:
            accepted = invitation_accept(token=token, user=request.user)
        except SellerError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("You joined %(business)s.") % {"business": accepted.business.name},
            )
            return redirect("seller:team", accepted.business.slug)
    elif found is None or found.accepted_at or found.revoked_at:
        error = _("This invitation is not valid.")
    elif found.expires_at < timezone.now():
        error = _("This invitation has expired.")
    return render(
        request,
        "workspace/sellers/invitation.html",
        {"invitation": found, "error": error, "token": token},
        status=400 if error else 200,
    )


# --- API tokens ---------------------------------------------------------------------------------


def _tokens_page(request, business, membership, *, form=None, raw_token=None, status=200):
    response = render(
        request,
        "workspace/sellers/tokens.html",
        {
            "business": business,
            "membership": membership,
            "tokens": api_tokens_of_business(business=business),
            "form": form or ApiTokenForm(),
            "raw_token": raw_token,
        },
        status=status,
    )
    if raw_token:
        # The raw token is shown once, in this response: never cached, never stored.
        response["Cache-Control"] = "no-store"
    return response


@_workspace_view(roles=ROLES_MANAGE)
def tokens(request, business, membership):
    if request.method != "POST":
        return _tokens_page(request, business, membership)
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = api_token_create(
                business=business, user=request.user, name=form.cleaned_data["name"]
            )
        except SellerError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            add_service_error(form, exc)
        else:
            return _tokens_page(request, business, membership, raw_token=raw)
    return _tokens_page(request, business, membership, form=form, status=400)


@_workspace_view(roles=ROLES_MANAGE)
@require_POST
def token_revoke(request, business, membership, token_id):
    token = get_object_or_404(api_tokens_of_business(business=business), pk=token_id)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("seller:tokens", business.slug)
