"""The CI gate: the trained model on the held-out NLU set, against the thresholds kept in
tests/data/heldout_thresholds.yml (what `bot.cli compare` measures per pipeline)."""

from __future__ import annotations

import pytest
import yaml

from bot.nlu_compare import examples, score_model
from tests.conftest import TEST_DATA
from tests.integration.conftest import newest_model

pytestmark = pytest.mark.live


def test_the_model_keeps_its_held_out_accuracy():
    limits = yaml.safe_load((TEST_DATA / "heldout_thresholds.yml").read_text("utf-8"))
    holdout = examples(TEST_DATA / "nlu_holdout.yml")
    assert len(holdout) >= 200
    score = score_model("model", str(newest_model()), holdout)
    print(f"\nheld-out: top-1 {score.top1:.1%}, answered right {score.answered:.1%}, "
          f"wrong answer {score.wrong:.1%} of {len(holdout)}")
    assert score.top1 >= limits["top1_at_least"], score
    assert score.answered >= limits["answered_right_at_least"], score
    assert score.wrong <= limits["wrong_answer_at_most"], score
