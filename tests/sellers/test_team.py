"""The team page, invitations and the API tokens page, through HTTP; the bearer-token helper."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sellers.auth import (
    InvalidApiToken,
    authenticate_api_request,
    seller_businesses,
    unauthorized_response,
)
from sellers.models import ApiToken, Invitation, Membership
from sellers.services import api_token_create, membership_invite
from tests.factories import MembershipFactory, UserFactory
from tests.sellers.conftest import login, snapshot

pytestmark = pytest.mark.django_db


def _team_url(team, name="team", *args):
    return reverse(f"seller:{name}", args=[team.business.slug, *args])


# --- team page ----------------------------------------------------------------------------------


def test_team_page_lists_the_members(client, team):
    login(client, team.staff)
    response = client.get(_team_url(team))
    assert response.status_code == 200
    assert {m.user for m in response.context["members"]} == {team.owner, team.manager, team.staff}
    assert response.context["is_owner"] is False
    html = response.content.decode()
    assert team.owner.email in html
    assert _team_url(team, "team_invite") not in html  # only owners see the forms


def test_owner_invites_and_the_invited_person_accepts(
    client, team, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://cho-ocop.vn"
    login(client, team.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _team_url(team, "team_invite"), {"email": "Moi@Example.vn", "role": "manager"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "moi@example.vn",
        "manager",
        team.owner,
    )
    assert len(mail.outbox) == 1
    link = re.search(r"https://cho-ocop\.vn(/seller/invitations/[\w-]+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body
    path = link.group(1)
    client.logout()

    # Signed out: the link asks to sign in first, and comes back.
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account:login')}?next={path}"

    # Someone else's account cannot accept it.
    login(client, UserFactory(email="other@example.vn"))
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 400
    assert response.context["error"] == "This invitation was sent to another email address."
    assert Membership.objects.filter(business=team.business).count() == 3

    invited = UserFactory(email="moi@example.vn")
    login(client, invited)
    response = client.get(path)
    assert response.context["invitation"] == invitation
    assert team.business.name in response.content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == _team_url(team)
    assert Membership.objects.get(user=invited).role == "manager"

    # Used: refused.
    response = client.post(path)
    assert response.status_code == 400
    assert response.context["error"] == "This invitation is not valid."


def test_expired_invitation_is_refused(client, team):
    _invitation, raw = membership_invite(
        business=team.business,
        inviter=team.owner,
        email="moi@example.vn",
        role="staff",
        now=timezone.now() - datetime.timedelta(days=8),
    )
    login(client, UserFactory(email="moi@example.vn"))
    path = reverse("seller:invitation", args=[raw])
    response = client.get(path)
    assert (response.status_code, response.context["error"]) == (
        400,
        "This invitation has expired.",
    )
    response = client.post(path)
    assert response.context["error"] == "This invitation has expired."
    assert Membership.objects.filter(business=team.business).count() == 3


def test_unknown_invitation_token(client):
    login(client, UserFactory())
    response = client.get(reverse("seller:invitation", args=["made-up"]))
    assert (response.status_code, response.context["error"]) == (
        400,
        "This invitation is not valid.",
    )


def test_invite_errors_are_shown_on_the_form(client, team):
    login(client, team.owner)
    response = client.post(
        _team_url(team, "team_invite"), {"email": team.manager.email, "role": "staff"}
    )
    assert response.status_code == 400
    assert response.context["invite_form"].errors == {"email": ["This person is already a member."]}
    assert Invitation.objects.count() == 0


def test_owner_changes_a_role_and_removes_a_member(client, team):
    login(client, team.owner)
    staff = team.membership(team.staff)
    response = client.post(_team_url(team, "member_role", staff.pk), {"role": "manager"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=staff.pk).role == "manager"
    response = client.post(_team_url(team, "member_remove", staff.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=staff.pk).exists()


def test_last_owner_cannot_step_down_or_leave(client, team):
    login(client, team.owner)
    owner = team.membership(team.owner)
    before = snapshot(team.business)
    response = client.post(_team_url(team, "member_role", owner.pk), {"role": "staff"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "A business needs at least one owner."
    ]
    client.post(_team_url(team, "member_remove", owner.pk))
    assert snapshot(team.business) == before


def test_an_owner_leaving_lands_on_their_account_page(client, team):
    second = MembershipFactory(business=team.business, role="owner")
    login(client, second.user)
    response = client.post(_team_url(team, "member_remove", second.pk))
    assert response["Location"] == reverse("account:my_account")
    assert not Membership.objects.filter(pk=second.pk).exists()


def test_a_membership_of_another_business_is_404_and_untouched(client, team):
    login(client, team.owner)
    outsider = Membership.objects.get(user=team.other_owner)
    before = snapshot(team.business, team.other_business)
    for name, data in (("member_role", {"role": "staff"}), ("member_remove", {})):
        response = client.post(_team_url(team, name, outsider.pk), data)
        assert response.status_code == 404
    assert snapshot(team.business, team.other_business) == before


# --- API tokens page ----------------------------------------------------------------------------


def test_manager_creates_a_token_shown_once_then_revokes_it(client, team):
    login(client, team.manager)
    url = _team_url(team, "tokens")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Cổng OCOP tỉnh"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw_token"]
    assert raw.startswith("ocop_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.name, token.user, token.business) == (
        "Cổng OCOP tỉnh",
        team.manager,
        team.business,
    )
    assert raw not in str(list(ApiToken.objects.values_list()))
    # Shown once: the list page never shows it again.
    assert raw not in client.get(url).content.decode()

    response = client.post(_team_url(team, "token_revoke", token.pk))
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_token_name_is_required(client, team):
    login(client, team.owner)
    response = client.post(_team_url(team, "tokens"), {"name": ""})
    assert response.status_code == 400
    assert response.context["raw_token"] is None
    assert ApiToken.objects.count() == 0


def test_a_token_of_another_business_cannot_be_revoked(client, team):
    other, _raw = api_token_create(
        business=team.other_business, user=team.other_owner, name="Theirs"
    )
    login(client, team.owner)
    response = client.post(_team_url(team, "token_revoke", other.pk))
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


# --- bearer authentication ----------------------------------------------------------------------


def test_bearer_token_authenticates_the_request_for_its_business_only(rf, team):
    # The manager belongs to a second business too; the token is for the first only.
    MembershipFactory(user=team.manager, business=team.other_business, role="manager")
    _token, raw = api_token_create(business=team.business, user=team.manager, name="App")
    request = rf.post("/graphql/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token = authenticate_api_request(request)
    assert (request.api_token, request.user) == (token, team.manager)
    assert list(seller_businesses(request)) == [team.business]


def test_no_header_leaves_the_request_alone(rf, team):
    request = rf.get("/graphql/")
    request.user = team.owner
    assert authenticate_api_request(request) is None
    assert (request.api_token, request.user) == (None, team.owner)
    assert list(seller_businesses(request)) == [team.business]


@pytest.mark.parametrize(
    "header", ["Bearer ocop_wrong", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "ocop_x"]
)
def test_bad_headers_are_refused(rf, header):
    request = rf.post("/graphql/", HTTP_AUTHORIZATION=header)
    with pytest.raises(InvalidApiToken) as exc_info:
        authenticate_api_request(request)
    response = unauthorized_response(exc_info.value)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="ocop", error="invalid_token"'


def test_revoked_token_header_is_refused(rf, team):
    token, raw = api_token_create(business=team.business, user=team.owner, name="App")
    token.revoked_at = timezone.now()
    token.save()
    with pytest.raises(InvalidApiToken):
        authenticate_api_request(rf.post("/graphql/", HTTP_AUTHORIZATION=f"Bearer {raw}"))
