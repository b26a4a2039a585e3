"""The danger classifier: a second reader that needs a cue and never outvotes a pattern."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.danger import load_patterns
from bot.danger_model import DangerExamplesError, DangerModel
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def check():
    return load_patterns(KNOWLEDGE_DIR / "danger.yml")


def test_the_check_loads_its_classifier_from_danger_yml(check):
    assert check.model is not None and 0 < check.model.threshold < 1


def test_the_classifier_alone_never_decides_without_a_cue(check):
    # The model may lean towards danger on a message without any danger word: no vote.
    always = replace(check, model=check.model.with_threshold(0.01))
    assert always.assess("hvornår har borgerservice åbent").category is None
    assert always.assess("hvad er tidlig indsats").category is None


def test_the_classifier_finds_danger_the_patterns_miss(check):
    without = replace(check, model=None)
    for text, category in [
            ("han har slugt noget fra køkkenskabet og er bange og bleg", "poisoning"),
            ("min datter er helt grå og vågner næsten ikke, hun er bange", "unconscious")]:
        assert without.assess(text).category is None
        found = check.assess(text)
        assert (found.category, found.source) == (category, "model")


def test_a_pattern_is_never_outvoted(check):
    never = replace(check, model=check.model.with_threshold(0.99))
    found = never.assess("min far slår mig")
    assert found.category == "violence" and found.source == "pattern"


def test_framed_as_over_gets_no_vote(check):
    always = replace(check, model=check.model.with_threshold(0.01))
    assert always.assess("han blev slået for fem år siden, hvilken hjælp findes").category is None


def test_bad_examples_are_refused():
    with pytest.raises(DangerExamplesError):
        DangerModel.train([("han slår", "violence")], 0.5)
    with pytest.raises(DangerExamplesError):
        DangerModel.train([("han slår", "violence"), ("hej", "none")], 1.5)
