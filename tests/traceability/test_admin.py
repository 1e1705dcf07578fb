"""The traceability admin: read-only changelists and the void action (through the service)."""

import pytest
from django.urls import reverse

from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.factories_traceability import event_for, past_scan, stamps_for, traced_product
from traceability.models import StampRun

pytestmark = pytest.mark.django_db

CHANGELISTS = ["batch", "provenanceevent", "stamprun", "stamp", "scan"]


@pytest.fixture
def official(client):
    user = UserFactory(username="support", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_show_and_add_nothing(client, official, model):
    traced = traced_product()
    event_for(traced)
    _run, (stamp,), _pins = stamps_for(traced, with_pin=True)
    past_scan(stamp, hours_ago=1, province_code="22")
    response = client.get(reverse(f"admin:traceability_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert client.get(reverse(f"admin:traceability_{model}_add")).status_code == 403


def test_stamps_are_found_by_serial_and_their_pin_hash_is_not_shown(client, official):
    traced = traced_product()
    _run, stamps, _pins = stamps_for(traced, 3, with_pin=True)
    url = reverse("admin:traceability_stamp_changelist")
    found = client.get(url, {"q": stamps[1].serial})
    assert [s.pk for s in found.context["cl"].result_list] == [stamps[1].pk]
    detail = client.get(reverse("admin:traceability_stamp_change", args=[stamps[1].pk]))
    assert detail.status_code == 200
    assert stamps[1].pin_hash not in detail.content.decode()


def test_batches_are_searched_by_lot_and_product(client, official):
    traced = traced_product()
    traced_product(lot_code="L9999", name="Trà hoa vàng", holder=BusinessFactory(status="active"))
    url = reverse("admin:traceability_batch_changelist")
    by_lot = client.get(url, {"q": "L2611-A"}).context["cl"].result_list
    by_product = client.get(url, {"q": "Trà hoa"}).context["cl"].result_list
    assert [b.pk for b in by_lot] == [traced.batch.pk]
    assert [b.lot_code for b in by_product] == ["L9999"]


def _void(client, run, reason="Nhãn bị mất trộm"):
    return client.post(
        reverse("admin:traceability_stamprun_changelist"),
        {"action": "void", "_selected_action": [run.pk], "apply": "1", "reason": reason},
        follow=True,
    )


def test_the_void_action_asks_for_a_reason_then_voids_through_the_service(client, official):
    traced = traced_product()
    MembershipFactory(business=traced.holder, user=official, role="manager")
    run, _stamps, _pins = stamps_for(traced)
    url = reverse("admin:traceability_stamprun_changelist")
    confirm = client.post(url, {"action": "void", "_selected_action": [run.pk]})
    assert confirm.status_code == 200
    assert f'data-run-id="{run.pk}"' in confirm.content.decode()
    blank = client.post(
        url, {"action": "void", "_selected_action": [run.pk], "apply": "1", "reason": " "}
    )
    assert blank.status_code == 200  # the form again, with its error
    run.refresh_from_db()
    assert run.voided_at is None
    response = _void(client, run)
    run.refresh_from_db()
    assert response.status_code == 200
    assert (run.void_reason, run.voided_at is not None) == ("Nhãn bị mất trộm", True)


def test_the_service_refuses_an_official_who_is_not_the_producers_manager(client, official):
    traced = traced_product()
    run, _stamps, _pins = stamps_for(traced)
    response = _void(client, run)
    levels = [m.level_tag for m in response.context["messages"]]
    assert levels == ["error"]
    assert StampRun.objects.get().voided_at is None
