"""The design's development questions against the running bot, by the eval command."""

from __future__ import annotations

import pytest

from bot.evaluation import (
    GROUP_CONTACT,
    GROUP_DANGER,
    GROUP_KNOWLEDGE,
    GROUP_OUT_OF_SCOPE,
    evaluate,
    format_report,
    load_cases,
)
from tests.conftest import TEST_DATA

pytestmark = pytest.mark.live

THRESHOLDS = {GROUP_KNOWLEDGE: 0.90, GROUP_CONTACT: 1.0, GROUP_DANGER: 1.0,
              GROUP_OUT_OF_SCOPE: 0.90}


def test_dev_questions_meet_the_accuracy_targets(bot):
    report = evaluate(bot.url, load_cases(TEST_DATA / "dev_questions.yml"))
    print(format_report(report))
    for group, minimum in THRESHOLDS.items():
        accuracy = report.accuracy(group)
        assert accuracy is not None and accuracy >= minimum, format_report(report)
