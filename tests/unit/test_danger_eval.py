"""The danger check on the independent sets (tests/data/danger_eval.yml and
not_danger_eval.yml), per category and per half.

The sets were written by a helper that had not seen the patterns, the training data or
the code. Patterns were written from the tuning half only; the held-out half is
reported apart (README, "Acute danger") and its floors here only stop a regression:
they are the figures measured when the patterns were last changed, not targets.
Reproduce the tables with `.venv/bin/python -m bot.danger_eval`.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.danger import load_patterns
from bot.danger_eval import DANGER_SET, NOT_DANGER_SET, load_cases, tally
from tests.conftest import KNOWLEDGE_DIR
from tests.unit.test_danger_messages import _normalise, _training_examples

CATEGORIES = {"violence", "sexual_abuse", "self_harm", "suicide", "missing", "poisoning",
              "not_breathing", "unconscious", "seizure", "fall_injury", "bleeding",
              "drowning", "burns", "allergy", "weapons_threats", "confinement",
              "drunk_driver"}
# Measured on 2026-12-02 (bot.danger_eval); raise them when the figures rise.
HELDOUT_RECALL_FLOOR = 0.65
HELDOUT_FALSE_ALARM_CEILING = 0.10


@pytest.fixture(scope="module")
def check():
    return load_patterns(KNOWLEDGE_DIR / "danger.yml")


def test_the_sets_are_large_enough_and_split_in_halves():
    danger, ordinary = load_cases(DANGER_SET), load_cases(NOT_DANGER_SET)
    assert len(danger) >= 250 and len(ordinary) >= 250
    assert {c.category for c in danger} == CATEGORIES
    for cases in (danger, ordinary):
        held = Counter(c.category for c in cases if c.heldout)
        total = Counter(c.category for c in cases)
        assert all(abs(2 * held[k] - total[k]) <= 1 for k in total), (held, total)


def test_no_message_of_the_sets_is_in_the_training_data():
    seen = {_normalise(text) for _, text in _training_examples()}
    cases = load_cases(DANGER_SET) + load_cases(NOT_DANGER_SET)
    copied = [c.text for c in cases if _normalise(c.text) in seen]
    # One plain policy question the helper wrote happens to match a training example
    # word for word (it was in data/nlu/ before the set existed).
    assert copied in ([], ["Hvad er kommunens visioner for børn og unge?"])


def test_every_tuning_emergency_gets_112_in_every_category(check):
    table = tally(check, load_cases(DANGER_SET))
    missed = {k: v["tuning"].share() for k, v in table.items()
              if v["tuning"].hits < v["tuning"].total}
    assert missed == {}


def test_no_tuning_ordinary_message_gets_112(check):
    table = tally(check, load_cases(NOT_DANGER_SET))
    assert table["ALL"]["tuning"].hits == 0, {k: v["tuning"].share() for k, v in table.items()}


def test_the_held_out_halves_do_not_fall_below_their_measured_figures(check):
    danger = tally(check, load_cases(DANGER_SET))["ALL"]["heldout"]
    ordinary = tally(check, load_cases(NOT_DANGER_SET))["ALL"]["heldout"]
    assert danger.hits / danger.total >= HELDOUT_RECALL_FLOOR, danger.share()
    assert ordinary.hits / ordinary.total <= HELDOUT_FALSE_ALARM_CEILING, ordinary.share()


@pytest.mark.parametrize(
    ("text", "young"),
    [("jeg er 13 og min stedfar slår mig", True), ("min stedfar slår mig", True),
     ("mine forældre skændes hele tiden og jeg kan ikke sove", True),
     ("i'm 14 and my dad hits me", True), ("min søn på 13 bliver slået af sin far", False),
     ("jeg er bekymret for min datter", False), ("hvad er tidlig indsats", False)],
)
def test_a_young_writer_is_told_from_a_parent(check, text, young):
    assert check.assess(text).young is young


@pytest.mark.parametrize(
    ("text", "language"),
    [("my son wants to kill himself", "en"), ("Hilfe, mein Sohn blutet stark", "other"),
     ("Pomocy! Mój syn krwawi", "other"), ("min søn vil tage sit liv", "da")],
)
def test_english_and_foreign_emergencies_get_112(check, text, language):
    found = check.assess(text)
    assert found.danger and found.language == language
