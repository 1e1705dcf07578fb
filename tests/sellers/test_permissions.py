"""Who may do what on each state-changing seller page: anonymous, a buyer, a member of another
seller, each role of the seller's own team, and marketplace staff. Refusals change nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from sellers.models import SellerStatus
from sellers.services import api_token_create
from tests.factories import UserFactory
from tests.sellers.conftest import Team, login, snapshot

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "buyer", "other_seller", "marketplace_staff", "owner", "manager", "staff"]


def _actor(team: Team, name: str):
    return {
        "anonymous": AnonymousUser(),
        "buyer": team.buyer,
        "other_seller": team.other_owner,
        "marketplace_staff": UserFactory(is_staff=True, is_superuser=True),
        "owner": team.owner,
        "manager": team.manager,
        "staff": team.staff,
    }[name]


def _activate(team):
    return reverse("seller:activate", args=[team.business.slug]), {"accept_terms": "on"}


def _invite(team):
    url = reverse("seller:team_invite", args=[team.business.slug])
    return url, {"email": "moi@example.vn", "role": "staff"}


def _role(team):
    target = team.membership(team.staff)
    url = reverse("seller:member_role", args=[team.business.slug, target.pk])
    return url, {"role": "manager"}


def _remove(team):
    target = team.membership(team.staff)
    return reverse("seller:member_remove", args=[team.business.slug, target.pk]), {}


def _token_create(team):
    return reverse("seller:tokens", args=[team.business.slug]), {"name": "Cổng tỉnh"}


def _token_revoke(team):
    token, _raw = api_token_create(business=team.business, user=team.owner, name="App")
    return reverse("seller:token_revoke", args=[team.business.slug, token.pk]), {}


# page → (request builder, roles allowed, status on success)
ACTIONS = {
    "activate": (_activate, {"owner"}, 302),
    "invite": (_invite, {"owner"}, 302),
    "role_change": (_role, {"owner"}, 302),
    "remove": (_remove, {"owner"}, 302),
    "token_create": (_token_create, {"owner", "manager"}, 200),
    "token_revoke": (_token_revoke, {"owner", "manager"}, 302),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, action, actor):
    team = Team(status=SellerStatus.VERIFIED)
    build, allowed, success_status = ACTIONS[action]
    url, data = build(team)
    user = _actor(team, actor)
    if actor != "anonymous":
        login(client, user)
    before = snapshot(team.business, team.other_business)

    response = client.post(url, data)

    if actor in allowed:
        assert response.status_code == success_status
        assert snapshot(team.business, team.other_business) != before
        return
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account:login')}?next={url}"
    elif actor in {"buyer", "other_seller", "marketplace_staff"}:
        assert response.status_code == 404
    else:  # a member whose role does not allow it
        assert response.status_code == 403
        assert response.context["message"] == "Your role in this business does not allow this."
    assert snapshot(team.business, team.other_business) == before


# page → roles that may view it (members only; others as above)
PAGES = {
    "team": {"owner", "manager", "staff"},
    "activate": {"owner", "manager", "staff"},
    "tokens": {"owner", "manager"},
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("page", list(PAGES))
def test_workspace_pages_are_for_members_only(client, page, actor):
    team = Team()
    url = reverse(f"seller:{page}", args=[team.business.slug])
    if actor != "anonymous":
        login(client, _actor(team, actor))
    response = client.get(url)
    if actor == "anonymous":
        assert response.status_code == 302
    elif actor in PAGES[page]:
        assert response.status_code == 200
        assert response.context["business"] == team.business
    elif actor in {"owner", "manager", "staff"}:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


def test_an_owner_elsewhere_gets_404_on_this_business_even_for_get(client):
    team = Team()
    login(client, team.other_owner)
    for name in ("team", "tokens", "activate"):
        assert client.get(reverse(f"seller:{name}", args=[team.business.slug])).status_code == 404
    assert client.get(reverse("seller:team", args=["khong-ton-tai"])).status_code == 404
