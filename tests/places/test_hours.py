"""Open now and next opening around midnight and on exceptions, in Vietnam's time; the SQL
filter (``open_now_q``) answers as the Python schedule does."""

import datetime

import pytest

from marketplace.places.hours import VIETNAM
from marketplace.places.models import PointOfSale
from marketplace.places.selectors import open_now_q, point_open_state, points_for_page
from marketplace.places.services import location_exception_write
from tests.factories_places import point

pytestmark = pytest.mark.django_db

T = datetime.time
# 2026-12-04 is a Friday (weekday 4).
FRIDAY = datetime.date(2026, 12, 4)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, T(hour, minute), tzinfo=VIETNAM)


def _state(created, when):
    (loaded,) = points_for_page([created.pk], at=when)
    state = point_open_state(loaded, at=when)
    in_sql = PointOfSale.objects.filter(open_now_q(when), pk=created.pk).exists()
    assert in_sql == state.open_now, when
    return state


@pytest.fixture
def night_market():
    # Friday 18:00–02:00 (into Saturday), Saturday 08:00–12:00.
    return point(hours=[(4, T(18), T(2)), (5, T(8), T(12))])


@pytest.mark.parametrize(
    ("when", "open_now", "next_opening"),
    [
        (at(FRIDAY, 17, 59), False, at(FRIDAY, 18)),
        (at(FRIDAY, 18), True, None),
        (at(FRIDAY, 23, 59), True, None),
        (at(FRIDAY + datetime.timedelta(days=1), 0, 0), True, None),
        (at(FRIDAY + datetime.timedelta(days=1), 1, 59), True, None),
        (
            at(FRIDAY + datetime.timedelta(days=1), 2, 0),
            False,
            at(FRIDAY + datetime.timedelta(1), 8),
        ),
        (
            at(FRIDAY + datetime.timedelta(days=1), 12, 0),
            False,
            at(FRIDAY + datetime.timedelta(7), 18),
        ),
    ],
)
def test_hours_past_midnight(night_market, when, open_now, next_opening):
    state = _state(night_market, when)
    assert (state.open_now, state.next_opening) == (open_now, next_opening)


def test_utc_instants_are_read_in_vietnam_time(night_market):
    # 11:30 UTC on Friday is 18:30 in Hà Nội.
    when = datetime.datetime(2026, 12, 4, 11, 30, tzinfo=datetime.UTC)
    state = _state(night_market, when)
    assert (state.open_now, state.closes_at) == (True, at(FRIDAY + datetime.timedelta(1), 2))


def test_exceptions_close_a_day_or_change_its_hours(night_market):
    location = night_market.location
    location_exception_write(location=location, date=FRIDAY, closed=True, reason="Tết")
    # Closed on Friday: Friday's evening never opens, nor its spill past midnight.
    assert _state(night_market, at(FRIDAY, 19)).open_now is False
    assert _state(night_market, at(FRIDAY + datetime.timedelta(1), 1)).open_now is False
    assert _state(night_market, at(FRIDAY, 19)).next_opening == at(
        FRIDAY + datetime.timedelta(1), 8
    )
    saturday = FRIDAY + datetime.timedelta(1)
    location_exception_write(
        location=location, date=saturday, closed=False, opens=T(20), closes=T(1), reason="Lễ hội"
    )
    assert _state(night_market, at(saturday, 9)).open_now is False
    assert _state(night_market, at(saturday, 9)).next_opening == at(saturday, 20)
    assert _state(night_market, at(saturday, 23, 30)).open_now is True
    assert _state(night_market, at(saturday + datetime.timedelta(1), 0, 30)).open_now is True


def test_whole_day_and_temporary_closure():
    always = point(hours=[(day, T(0), T(0)) for day in range(7)])
    assert _state(always, at(FRIDAY, 0)).open_now is True
    assert _state(always, at(FRIDAY, 23, 59)).open_now is True
    always.status, always.closure_reason = "temporarily_closed", "Sửa chữa"
    always.reopens_on = FRIDAY + datetime.timedelta(days=3)
    always.save()
    state = _state(always, at(FRIDAY, 12))
    assert (state.open_now, state.next_opening) == (False, at(FRIDAY + datetime.timedelta(3), 0))


def test_no_hours_means_never_open():
    state = _state(point(hours=[]), at(FRIDAY, 12))
    assert (state.open_now, state.next_opening) == (False, None)
