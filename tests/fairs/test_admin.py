"""Staff approve organisers in the admin: until then the organiser's members have no desk."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories_fairs import OrganiserFactory, organiser_member

pytestmark = pytest.mark.django_db


def test_staff_approve_organisers_with_the_admin_action_and_the_desk_opens(client):
    pending = OrganiserFactory(approved_at=None)
    _pending, owner = organiser_member(pending, role="owner")
    already = OrganiserFactory()
    approved_at = already.approved_at
    desk = f"/to-chuc/{pending.slug}/"
    client.force_login(owner)
    assert client.get(desk).status_code == 404

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:fairs_organiser_changelist"),
        {"action": "approve", "_selected_action": [pending.pk, already.pk]},
        follow=True,
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã duyệt đơn vị tổ chức."]
    pending.refresh_from_db()
    already.refresh_from_db()
    assert pending.approved_by == staff
    assert pending.approved_at is not None
    # Approving again keeps the first approval.
    assert already.approved_at == approved_at

    client.force_login(owner)
    assert client.get(desk).status_code == 200
