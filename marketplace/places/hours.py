"""Open now and next opening, from a location's weekly hours and dated exceptions: pure
functions over rows the caller already loaded (prefetched for a page of points), so a list costs
no query per row. All times are Vietnam's (Asia/Ho_Chi_Minh, no daylight saving)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# How far ahead "next opening" looks: past two weeks a place is as good as closed (Tết closures
# last a week at most).
HORIZON_DAYS = 14


@dataclass(frozen=True)
class Interval:
    start: datetime.datetime
    end: datetime.datetime


@dataclass(frozen=True)
class Schedule:
    """One location's week (weekday → [(opens, closes)]) and its exceptions (date → None when
    closed all day, else (opens, closes))."""

    week: dict[int, list[tuple[datetime.time, datetime.time]]]
    exceptions: dict[datetime.date, tuple[datetime.time, datetime.time] | None]

    @classmethod
    def from_rows(cls, hours: Iterable, exceptions: Iterable = ()) -> Schedule:
        week: dict[int, list] = {}
        for row in hours:
            week.setdefault(row.weekday, []).append((row.opens, row.closes))
        return cls(
            week={day: sorted(spans) for day, spans in week.items()},
            exceptions={
                row.date: None if row.closed else (row.opens, row.closes) for row in exceptions
            },
        )

    def spans_on(self, day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
        if day in self.exceptions:
            special = self.exceptions[day]
            return [] if special is None else [special]
        return self.week.get(day.weekday(), [])

    def intervals_on(self, day: datetime.date) -> list[Interval]:
        """The intervals that start on ``day``; one whose closing time is at or before its
        opening time ends the next day (00:00–00:00 is the whole day)."""
        intervals = []
        for opens, closes in self.spans_on(day):
            start = datetime.datetime.combine(day, opens, tzinfo=VIETNAM)
            end = datetime.datetime.combine(day, closes, tzinfo=VIETNAM)
            if end <= start:
                end += datetime.timedelta(days=1)
            intervals.append(Interval(start, end))
        return intervals

    def current(self, at: datetime.datetime) -> Interval | None:
        """The interval open at ``at`` (yesterday's may run past midnight), or None."""
        local = at.astimezone(VIETNAM)
        for day in (local.date() - datetime.timedelta(days=1), local.date()):
            for interval in self.intervals_on(day):
                if interval.start <= local < interval.end:
                    return interval
        return None

    def next_opening(
        self, at: datetime.datetime, *, not_before: datetime.date | None = None
    ) -> datetime.datetime | None:
        """When it next opens after ``at`` (None when open now or nothing within the horizon);
        ``not_before``: a temporarily closed point's reopening date."""
        local = at.astimezone(VIETNAM)
        first = local.date()
        if not_before is not None and not_before > first:
            first = not_before
        for offset in range(HORIZON_DAYS + 1):
            day = first + datetime.timedelta(days=offset)
            for interval in self.intervals_on(day):
                if interval.start > local:
                    return interval.start
        return None
