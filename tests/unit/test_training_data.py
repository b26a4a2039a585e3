"""The training data is big enough, unambiguous, and kept apart from the test sets."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from tests.conftest import TEST_DATA

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
MIN_EXAMPLES_PER_SECTION = 15


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _examples(paths) -> Dict[str, Set[str]]:
    by_intent: Dict[str, Set[str]] = defaultdict(set)
    for path in paths:
        for block in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["nlu"]:
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    by_intent[block["intent"]].add(_norm(line[2:]))
    return by_intent


@pytest.fixture(scope="module")
def training() -> Dict[str, Set[str]]:
    return _examples(sorted(NLU_DIR.glob("*.yml")))


def _all(by_intent: Dict[str, Set[str]]) -> Set[str]:
    return set().union(*by_intent.values())


def test_every_section_has_enough_examples(training, knowledge):
    for section in knowledge.sections.values():
        count = len(training.get(section.intent, ()))
        assert count >= MIN_EXAMPLES_PER_SECTION, f"{section.intent}: {count} examples"


def test_no_example_sits_under_two_intents(training):
    seen: Dict[str, str] = {}
    for intent, examples in training.items():
        for example in examples:
            assert seen.setdefault(example, intent) == intent, (
                f"{example!r} under {seen[example]} and {intent}")


def test_no_example_is_written_twice():
    seen: Set[str] = set()
    for path in sorted(NLU_DIR.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("- ") and not line.startswith("- intent:"):
                example = _norm(line[2:])
                assert example not in seen, f"{path.name}: {line!r} appears twice"
                seen.add(example)


def test_no_evaluation_question_is_in_the_training_data(training):
    dev = yaml.safe_load((TEST_DATA / "dev_questions.yml").read_text(encoding="utf-8"))
    leaked = {_norm(c["text"]) for c in dev["cases"]} & _all(training)
    assert not leaked


def test_held_out_set_shares_no_example_with_the_training_data(training):
    holdout = _examples([TEST_DATA / "nlu_holdout.yml"])
    assert not _all(holdout) & _all(training)
    assert set(holdout) <= set(training)  # every held-out intent is a trained intent
