"""Opening hours in Danish time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.callback_replies import availability_sentence
from bot.hours import DANISH_TIME, OpeningHours, OpeningHoursError, when
from bot.knowledge import Contact

HOURS = OpeningHours.parse(
    {"mandag": "08:00-15:00", "tirsdag": "08:00-15:00", "onsdag": "08:00-15:00",
     "torsdag": "08:00-17:00", "fredag": "08:00-12:00"},
    ["2026-12-24"],
)


def danish(*args: int) -> datetime:
    return datetime(*args, tzinfo=DANISH_TIME)


def test_open_and_closed_in_danish_time_across_daylight_saving():
    assert HOURS.is_open(danish(2026, 11, 23, 9, 0))  # Monday
    assert not HOURS.is_open(danish(2026, 11, 23, 15, 0))
    # 07:30 UTC in summer is 09:30 in Denmark; in winter 08:30.
    assert HOURS.is_open(datetime(2026, 7, 6, 7, 30, tzinfo=timezone.utc))
    assert not HOURS.is_open(datetime(2026, 11, 23, 6, 30, tzinfo=timezone.utc))
    assert not HOURS.is_open(danish(2026, 12, 24, 9, 0))  # closed date


def test_next_opening_and_how_it_is_said():
    friday_evening = danish(2026, 11, 27, 18, 0)
    opening = HOURS.next_opening(friday_evening)
    assert opening == danish(2026, 11, 30, 8, 0)
    assert when(opening, friday_evening) == "mandag kl. 8.00"
    assert when(danish(2026, 11, 28, 8, 0), friday_evening) == "i morgen kl. 8.00"


def test_description_groups_days():
    assert HOURS.describe() == (
        "mandag-onsdag kl. 8.00-15.00, torsdag kl. 8.00-17.00 og fredag kl. 8.00-12.00"
    )


@pytest.mark.parametrize(
    "raw", [{"mandag": "15:00-08:00"}, {"mandag": "8-15"}, {"maandag": "08:00-15:00"},
            {"mandag": "08:00-12:00, 11:00-13:00"}, {}]
)
def test_bad_hours_are_refused(raw):
    with pytest.raises(OpeningHoursError):
        OpeningHours.parse(raw)


def contact(hours):
    return Contact("x", "Familierådgivningen", "Rådgivning", "12345678", None, (), hours)


def test_unknown_hours_say_nothing_and_closed_hours_say_what_to_do():
    assert availability_sentence(contact(None), danish(2026, 11, 23, 20, 0), True) is None
    closed = availability_sentence(contact(HOURS), danish(2026, 11, 23, 20, 0), True)
    assert "lukket" in closed and "i morgen kl. 8.00" in closed
    assert "ringet op" in closed and "112" in closed
    assert "åbent nu" in availability_sentence(contact(HOURS), danish(2026, 11, 23, 10, 0), True)
