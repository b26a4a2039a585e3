"""Opening hours of a contact, in Danish time, and how the bot talks about them.

Staff write the hours in `data/knowledge/contacts.yml`:

    opening_hours:
      mandag: "08:00-15:00"
      fredag: "08:00-12:00, 12:30-14:00"
    closed_dates: ["2026-12-24"]

Days left out are closed. A contact without `opening_hours` has unknown hours, and
the bot then says nothing about when the contact can be reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")

Interval = Tuple[time, time]


class OpeningHoursError(ValueError):
    """The opening hours cannot be read; the message says what is wrong."""


def _parse_time(hour: str, minute: str, spec: str) -> time:
    h, m = int(hour), int(minute)
    if h == 24 and m == 0:
        return time(23, 59, 59)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise OpeningHoursError(f"'{spec}' is not a time range like 08:00-15:00")
    return time(h, m)


def _parse_day(spec: Any, day: str) -> Tuple[Interval, ...]:
    if spec is None or str(spec).strip().lower() in ("", "lukket"):
        return ()
    intervals: List[Interval] = []
    for part in str(spec).split(","):
        match = _RANGE.match(part)
        if not match:
            raise OpeningHoursError(f"{day}: '{part.strip()}' is not a time range like 08:00-15:00")
        start = _parse_time(match[1], match[2], part)
        end = _parse_time(match[3], match[4], part)
        if end <= start:
            raise OpeningHoursError(f"{day}: '{part.strip()}' ends before it starts")
        intervals.append((start, end))
    intervals.sort()
    for (_, first_end), (second_start, _) in zip(intervals, intervals[1:], strict=False):
        if second_start < first_end:
            raise OpeningHoursError(f"{day}: the time ranges overlap")
    return tuple(intervals)


def _clock(value: time) -> str:
    """Danish clock style: 8.00, 15.30."""
    if value == time(23, 59, 59):
        return "24.00"
    return f"{value.hour}.{value.minute:02d}"


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours (index 0 = Monday) and dates when the contact is closed."""

    days: Tuple[Tuple[Interval, ...], ...]
    closed_dates: FrozenSet[date] = frozenset()

    @classmethod
    def parse(cls, raw: Any, closed: Any = None) -> Optional[OpeningHours]:
        """None when no hours are given (unknown), else the parsed hours."""
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise OpeningHoursError("opening_hours must map weekdays (mandag…søndag) to hours")
        unknown = [str(day) for day in raw if str(day).lower() not in WEEKDAYS]
        if unknown:
            raise OpeningHoursError(
                f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}"
            )
        by_day: Dict[str, Any] = {str(day).lower(): value for day, value in raw.items()}
        days = tuple(_parse_day(by_day.get(day), day) for day in WEEKDAYS)
        if not any(days):
            raise OpeningHoursError("opening_hours gives no open hours on any day")
        dates = set()
        for value in closed or []:
            try:
                dates.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
            except ValueError as error:
                raise OpeningHoursError(f"closed date {value!r} is not YYYY-MM-DD") from error
        return cls(days, frozenset(dates))

    def _intervals_on(self, day: date) -> Tuple[Interval, ...]:
        return () if day in self.closed_dates else self.days[day.weekday()]

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(DANISH_TIME)
        return any(start <= local.time() < end for start, end in self._intervals_on(local.date()))

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """When the contact opens next (after `now`), within the coming four weeks."""
        local = now.astimezone(DANISH_TIME)
        for offset in range(29):
            day = local.date() + timedelta(days=offset)
            for start, _ in self._intervals_on(day):
                opening = datetime.combine(day, start, tzinfo=DANISH_TIME)
                if opening > local:
                    return opening
        return None

    def describe(self) -> str:
        """'mandag-torsdag kl. 8.00-15.00 og fredag kl. 8.00-12.00'."""
        groups: List[Tuple[int, int, Tuple[Interval, ...]]] = []
        for index, intervals in enumerate(self.days):
            if not intervals:
                continue
            if groups and groups[-1][1] == index - 1 and groups[-1][2] == intervals:
                groups[-1] = (groups[-1][0], index, intervals)
            else:
                groups.append((index, index, intervals))
        parts = []
        for first, last, intervals in groups:
            days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
            hours = " og ".join(f"{_clock(s)}-{_clock(e)}" for s, e in intervals)
            parts.append(f"{days} kl. {hours}")
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def when(moment: datetime, now: datetime) -> str:
    """'i dag kl. 13.00', 'i morgen kl. 8.00', 'mandag kl. 8.00' (Danish time)."""
    local, today = moment.astimezone(DANISH_TIME), now.astimezone(DANISH_TIME).date()
    clock = f"kl. {_clock(local.time())}"
    if local.date() == today:
        return f"i dag {clock}"
    if local.date() == today + timedelta(days=1):
        return f"i morgen {clock}"
    if local.date() < today + timedelta(days=7):
        return f"{WEEKDAYS[local.weekday()]} {clock}"
    return f"{WEEKDAYS[local.weekday()]} den {local.day}.{local.month}. {clock}"
