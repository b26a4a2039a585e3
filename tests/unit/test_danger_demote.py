"""bot.danger_demote: which patterns it proposes to move to the signs."""

from __future__ import annotations

from bot.danger_demote import Reading, flagged, propose


def _reading(danger: bool, *keys: str, votes: bool = False) -> Reading:
    return Reading(danger=danger, strong=frozenset((k, 0) for k in keys), other=False,
                   backed=True, votes=votes)


def test_a_pattern_the_classifier_covers_and_that_alarms_ordinary_messages_is_proposed():
    readings = ([_reading(True, "weapons", votes=True)] * 3 + [_reading(False, "weapons")] * 4
                + [_reading(True, "violence")] + [_reading(False, "violence")])
    steps = propose(readings)
    assert [key for key, _, _ in steps] == [("weapons", 0)]
    assert steps[0][1:] == (4, 1)  # every emergency still found; one alarm left


def test_a_pattern_whose_emergencies_the_classifier_misses_stays():
    readings = [_reading(True, "suicide")] * 2 + [_reading(False, "suicide")] * 6
    assert propose(readings) == []  # 6 alarms spared < 5 x 2 emergencies lost


def test_a_moved_pattern_still_backs_the_classifier_vote():
    moved = frozenset({("weapons", 0)})
    assert flagged(_reading(True, "weapons", votes=True), moved)
    assert not flagged(_reading(True, "weapons"), moved)
    assert flagged(_reading(True, "weapons", "violence"), moved)
