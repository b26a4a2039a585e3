"""Passage retrieval over the policy texts: passages, their sections, and scores."""

from __future__ import annotations

import pytest

from bot.retrieval import assign, build_index, paragraphs
from tests.conftest import KNOWLEDGE_DIR


def _words(text):
    return text.lower().split()


def test_paragraphs_split_blank_lines_and_bullets():
    text = "Titel\n\nFørste afsnit.\n\nMål:\n • et punkt\n • et andet punkt\n"
    assert paragraphs(text) == ["Titel", "Første afsnit.", "Mål:", "et punkt", "et andet punkt"]


def test_a_paragraph_goes_to_its_heading_unless_another_section_says_it_better():
    sections = [("a", "Tænder", "tandpleje for børn og unge"),
                ("b", "Skole", "skift fra børnehave til skole")]
    paras = ["Tænder", "gratis tandpleje til alle børn", "skift fra børnehave til skole sker i maj"]
    assert assign(paras, sections, _words) == [
        ("a", "gratis tandpleje til alle børn"),
        ("b", "skift fra børnehave til skole sker i maj"),
    ]


@pytest.fixture(scope="module")
def index():
    from bot.knowledge import load_knowledge

    return build_index(load_knowledge(), KNOWLEDGE_DIR)


def test_a_question_in_the_policys_own_words_finds_its_section(index):
    scores = index.scores("hvad er tættere på, godt på vej tænkningen")
    assert max(scores, key=scores.get) == "herningmodellen"


def test_ascii_spellings_are_read_as_the_danish_letters(index):
    assert index.tokens("boernetandplejen") == index.tokens("børnetandplejen")


def test_a_message_without_policy_words_scores_nothing(index):
    assert set(index.scores("hej med dig").values()) == {0.0}
    assert set(index.scores("").values()) == {0.0}


def test_an_english_question_finds_its_section_through_the_glossary(index):
    scores = index.scores("is there anything about physical activity and healthy food")
    assert max(scores, key=scores.get) == "trivsel-og-sundhed"
    assert (index.in_danish("What is early intervention for families?")
            == "what is tidlig indsats for familier?")


def test_danish_words_are_left_as_they_are(index):
    # A Danish message keeps its loan words; "men" and "far" are not in the glossary.
    assert index.in_danish("kan vi få support i school") == "kan vi få support i school"
    assert index.in_danish("what is the support for men and their far") == (
        "what is the støtte hjælp for men and their far")


def test_a_malformed_glossary_is_refused(tmp_path):
    from bot.retrieval import english_terms
    bad = tmp_path / "english_terms.yml"
    bad.write_text("terms: [a, b]\n", encoding="utf-8")
    with pytest.raises(ValueError):
        english_terms(bad)
    assert english_terms(tmp_path / "missing.yml") == {}
