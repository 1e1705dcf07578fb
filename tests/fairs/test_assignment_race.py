"""Booth assignment on PostgreSQL with real concurrent connections: organisers assigning one
booth to many exhibitors, or one exhibitor to many booths, at the same instant — exactly one
assignment wins each time."""

import pytest

from marketplace.fairs.errors import FairError
from marketplace.fairs.models import BoothAssignment, BoothStatus
from marketplace.fairs.services import booth_assign
from tests.factories_fairs import BoothFactory, FairFactory, organiser_member
from tests.fairs.helpers import applied
from tests.support.race import race

RIVALS = 8


def _race(calls):
    return race(calls, expected=FairError)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_organisers_assigning_one_booth_to_several_exhibitors_at_once_assign_it_once():
    organiser, _first = organiser_member()
    organisers = [organiser_member(organiser)[1] for _ in range(RIVALS)]
    fair = FairFactory(organiser=organiser)
    applications = [applied(fair=fair, name=f"HTX đua {n}") for n in range(RIVALS)]
    booth = BoothFactory(zone__fair=fair, code="B-12")

    outcomes = _race(
        [
            lambda a=application, u=user: booth_assign(application=a, booth=booth, actor=u)
            for application, user in zip(applications, organisers, strict=True)
        ]
    )

    won = [o for o in outcomes if isinstance(o, BoothAssignment)]
    lost = [o for o in outcomes if isinstance(o, FairError)]
    assert (len(won), len(lost)) == (1, RIVALS - 1)
    assert {exc.code for exc in lost} == {"booth_taken"}
    assert BoothAssignment.objects.filter(booth=booth, released_at__isnull=True).count() == 1
    booth.refresh_from_db()
    assert booth.status == BoothStatus.ASSIGNED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_exhibitor_assigned_several_booths_at_once_gets_only_what_it_asked_for():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    application = applied(fair=fair, booths_wanted=1)
    booths = [BoothFactory(zone__fair=fair, code=f"C-{n:02d}") for n in range(RIVALS)]

    outcomes = _race(
        [
            lambda b=booth: booth_assign(application=application, booth=b, actor=user)
            for booth in booths
        ]
    )

    won = [o for o in outcomes if isinstance(o, BoothAssignment)]
    assert len(won) == 1
    assert {o.code for o in outcomes if isinstance(o, FairError)} == {"enough"}
    assert BoothAssignment.objects.filter(application=application).count() == 1
    assert [b.status for b in type(booths[0]).objects.filter(fair=fair).order_by("code")].count(
        BoothStatus.ASSIGNED
    ) == 1
