"""The CI gate: the trained model on the held-out NLU set, against the thresholds kept in
tests/data/heldout_thresholds.yml (the check `python -m bot.cli test` and `reload` make)."""

from __future__ import annotations

import pytest

from bot.nlu_compare import score_model
from bot.quality import below_thresholds, describe, holdout, thresholds
from bot.settings import PROJECT_ROOT
from tests.integration.conftest import newest_model

pytestmark = pytest.mark.live


def test_the_model_keeps_its_held_out_accuracy():
    questions = holdout(PROJECT_ROOT)
    assert len(questions) >= 200
    score = score_model("model", str(newest_model()), questions)
    print(f"\nheld-out ({len(questions)}): {describe(score)}")
    assert below_thresholds(score, thresholds(PROJECT_ROOT)) == [], score
