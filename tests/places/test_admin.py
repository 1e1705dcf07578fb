"""Registry officials recognise, suspend and reinstate points from the admin's actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from marketplace.places.models import PointOfSale
from tests.factories import UserFactory
from tests.factories_places import point

pytestmark = pytest.mark.django_db
URL = reverse("admin:places_pointofsale_changelist")


def _act(client, action, points, **data):
    return client.post(
        URL,
        {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in points], **data},
        follow=True,
    )


def test_actions_go_through_the_services(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    first, second = point(), point()
    assert client.get(URL).status_code == 200
    response = _act(
        client,
        "recognise",
        [first],
        recognition_number="12/QĐ-UBND",
        recognition_date="2025-05-23",
        recognition_body="UBND TP Hà Nội",
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.recognition_number, str(first.recognition_date)) == ("12/QĐ-UBND", "2025-05-23")
    _act(client, "suspend", [first, second], reason="")  # a reason is required
    assert PointOfSale.objects.filter(suspended_at__isnull=False).count() == 0
    _act(client, "suspend", [first, second], reason="Sai toạ độ")
    assert PointOfSale.objects.filter(suspension_reason="Sai toạ độ").count() == 2
    _act(client, "reinstate", [second])
    assert list(PointOfSale.objects.filter(suspended_at__isnull=True)) == [second]
    assert (
        client.get(reverse("admin:places_pointofsale_change", args=[first.pk])).status_code == 200
    )
