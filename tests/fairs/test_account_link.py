"""The account page links to the organiser's desk for members of an approved organiser, and only
for them."""

import pytest

from marketplace.fairs.models import OrganiserMembership
from tests.factories import BusinessFactory, UserFactory, member
from tests.factories_fairs import OrganiserFactory, organiser_member

pytestmark = pytest.mark.django_db


def _page(client, user, language="vi"):
    client.force_login(user)
    return client.get("/tai-khoan/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_an_organiser_member_finds_a_link_to_each_desk(client):
    organiser, user = organiser_member(OrganiserFactory(name="Sở Công Thương Quảng Ninh"))
    second = OrganiserFactory(name="Hiệp hội OCOP Hạ Long", slug="hiep-hoi-ocop")
    OrganiserMembership.objects.create(user=user, organiser=second, role="staff")
    page = _page(client, user, "en")
    assert "<h2>Fair organisers</h2>" in page
    assert page.count('class="card account-link"') == 2
    assert page.index("Hiệp hội OCOP Hạ Long") < page.index("Sở Công Thương Quảng Ninh")
    assert f'<a href="/to-chuc/{organiser.slug}/">Open</a>' in page
    assert '<a href="/to-chuc/hiep-hoi-ocop/">Open</a>' in page
    assert "<h2>Đơn vị tổ chức hội chợ</h2>" in _page(client, user)


def test_no_link_for_anyone_else_nor_for_an_organiser_awaiting_approval(client):
    waiting = OrganiserFactory(approved_at=None, slug="cho-duyet")
    _waiting, pending_member = organiser_member(waiting)
    seller_member = member(BusinessFactory())
    for user in (UserFactory(), seller_member, pending_member):
        page = _page(client, user, "en")
        assert "Fair organisers" not in page
        assert "/to-chuc/" not in page
