"""The danger patterns catch every message in tests/data/danger_messages.yml and no ordinary one.

The message file is a test set: its messages must stay out of the training data, and the
ordinary questions the bot is trained on must never be sent down the 112 path.
"""

from __future__ import annotations

import re
from typing import Dict, List, Set, Tuple

import pytest
import yaml

from bot.danger import DangerCheck
from bot.danger_file import load_patterns
from bot.settings import PROJECT_ROOT
from tests.conftest import KNOWLEDGE_DIR, TEST_DATA

MESSAGES_FILE = TEST_DATA / "danger_messages.yml"
DEV_QUESTIONS_FILE = TEST_DATA / "dev_questions.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
ACUTE_DANGER_INTENT = "acute_danger"
MIN_MESSAGES = 30

# Rasa entity markup in a training example: "[Herning](city)" or "[Herning]{...}".
_ENTITY = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")


def _messages(kind: str) -> List[str]:
    """The `danger` or `ordinary` list of the message file."""
    raw = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    messages = raw[kind]
    assert isinstance(messages, list), f"{MESSAGES_FILE.name}: '{kind}' must be a list"
    return [str(message) for message in messages]


def _normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: two texts that differ only so are equal."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _training_examples() -> List[Tuple[str, str]]:
    """(intent, example) for every training example in data/nlu/*.yml."""
    examples: List[Tuple[str, str]] = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        blocks = yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
        for block in blocks:
            if "intent" not in block:
                continue  # synonyms, lookup tables, regexes
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((str(block["intent"]), _ENTITY.sub(r"\1", line[2:])))
    return examples


def _dev_questions() -> List[str]:
    raw = yaml.safe_load(DEV_QUESTIONS_FILE.read_text(encoding="utf-8"))
    return [str(case["text"]) for case in raw["cases"]]


DANGER = _messages("danger")
ORDINARY = _messages("ordinary")


@pytest.fixture(scope="module")
def patterns() -> DangerCheck:
    return load_patterns(KNOWLEDGE_DIR / "danger.yml")


def test_there_are_enough_messages_of_each_kind() -> None:
    assert len(DANGER) >= MIN_MESSAGES
    assert len(ORDINARY) >= MIN_MESSAGES


def test_no_message_is_listed_twice() -> None:
    normalised = [_normalise(message) for message in DANGER + ORDINARY]
    twice = sorted({text for text in normalised if normalised.count(text) > 1})
    assert not twice, f"listed more than once: {twice}"


@pytest.mark.parametrize("text", DANGER)
def test_danger_message_is_caught(patterns: DangerCheck, text: str) -> None:
    assert patterns.match(text) is not None, f"no danger pattern matches {text!r}"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_message_is_not_flagged(patterns: DangerCheck, text: str) -> None:
    category = patterns.match(text)
    assert category is None, f"{text!r} matches a '{category}' pattern"


def test_messages_are_not_in_the_training_data_or_the_dev_questions() -> None:
    seen: Dict[str, str] = {}
    for intent, example in _training_examples():
        seen[_normalise(example)] = f"data/nlu ({intent})"
    for question in _dev_questions():
        seen[_normalise(question)] = DEV_QUESTIONS_FILE.name
    leaked = {message: seen[_normalise(message)]
              for message in DANGER + ORDINARY if _normalise(message) in seen}
    assert not leaked, f"test messages copied elsewhere: {leaked}"


def test_no_ordinary_training_example_matches_a_pattern(patterns: DangerCheck) -> None:
    examples = [(intent, text) for intent, text in _training_examples()
                if intent != ACUTE_DANGER_INTENT]
    assert examples, f"no training examples found in {NLU_DIR}"
    flagged: Set[Tuple[str, str, str]] = set()
    for intent, text in examples:
        category = patterns.match(text)
        if category is not None:
            flagged.add((intent, category, text))
    assert not flagged, f"ordinary training examples sent to 112: {sorted(flagged)}"


def test_benign_idioms_never_occur_in_a_danger_message(patterns: DangerCheck) -> None:
    explained = [text for text in DANGER if patterns.benign_idiom(text)]
    assert explained == []
    danger_training = [text for intent, text in _training_examples() if intent == "acute_danger"]
    assert [text for text in danger_training if patterns.benign_idiom(text)] == []
