"""The realistic evaluation sets (issue 16): written by a helper that had not seen the
training data, kept out of it, and split in halves so one half stays unread."""

from __future__ import annotations

from collections import Counter

import yaml

from bot.evaluation import GROUP_CONTACT, GROUP_KNOWLEDGE, GROUP_OUT_OF_SCOPE, load_cases
from bot.knowledge import REQUIRED_CONTACT_IDS, REQUIRED_SECTION_IDS
from tests.conftest import TEST_DATA
from tests.unit.test_danger_messages import _normalise, _training_examples

QUESTIONS = TEST_DATA / "realistic_questions.yml"
CONVERSATIONS = TEST_DATA / "realistic_conversations.yml"


def test_the_sets_are_large_and_name_only_known_ids():
    cases, turns = load_cases(QUESTIONS), load_cases(CONVERSATIONS)
    groups = Counter(c.group for c in cases)
    assert len(cases) >= 300 and groups[GROUP_KNOWLEDGE] >= 200
    assert groups[GROUP_CONTACT] >= 20 and groups[GROUP_OUT_OF_SCOPE] >= 50
    assert len({t.conversation for t in turns}) >= 30
    for case in cases + turns:
        assert set(case.sources or []) <= REQUIRED_SECTION_IDS, case
        assert case.contact is None or case.contact in REQUIRED_CONTACT_IDS, case
    knowledge = {s for c in cases for s in (c.sources or [])[:1]}
    assert knowledge == set(REQUIRED_SECTION_IDS)  # every section is asked about


def test_half_of_every_style_and_kind_is_held_out():
    raw = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["cases"]
    conversations = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]
    for items, key in ((raw, "style"), (conversations, "kind")):
        total = Counter(item[key] for item in items)
        held = Counter(item[key] for item in items if item["heldout"])
        assert all(abs(2 * held[k] - total[k]) <= 1 for k in total), (held, total)


def test_no_message_of_the_sets_is_in_the_training_data():
    seen = {_normalise(text) for _, text in _training_examples()}
    assert [c.text for c in load_cases(QUESTIONS) if _normalise(c.text) in seen] == []
    # A conversation may open with a greeting or a section's name that a training example
    # has too (its follow-ups are what it measures); nothing longer than four words.
    same = [t.text for t in load_cases(CONVERSATIONS) if _normalise(t.text) in seen]
    assert all(len(text.split()) <= 4 for text in same) and len(same) <= 6, same
