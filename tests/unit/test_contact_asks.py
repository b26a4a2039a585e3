"""Who a young person is sent to: Børnetelefonen, or the municipality with it."""

from __future__ import annotations

import pytest

from bot.contact_asks import (
    about_the_last_card,
    asks_for_the_childrens_line,
    is_contact_ask,
    refers_back,
    wants_the_municipality,
)


@pytest.mark.parametrize("text", [
    "jeg er 15 og vil gerne tale med en voksen anonymt",
    "kan man ringe anonymt et sted når man er 12",
    "er der et nummer hvor jeg ikke skal sige mit navn",
    "kan jeg skrive med nogen uden at mine forældre får det at vide",
    "is there a phone line for teens where I can talk anonymously",
    "I want to talk to someone who won't tell my mum",
    "hvor kan man henvende sig som ung",
])
def test_someone_to_talk_to_without_a_name_or_the_parents_told(text):
    assert asks_for_the_childrens_line(text)


@pytest.mark.parametrize("text", [
    "bliver min sag anonymiseret i jeres statistik",
    "hvad er tidlig indsats",
    "jeg har det svært som ung mor",
    "kan I tale med skolen om min søn",
])
def test_a_parent_about_privacy_or_a_topic_is_no_ask_for_the_childrens_line(text):
    assert not asks_for_the_childrens_line(text)


@pytest.mark.parametrize(("text", "municipal"), [
    ("jeg er 16 og vil klage over min sagsbehandler", True),
    ("hvem kan jeg ringe til hos kommunen om min egen sag", True),
    ("I want to complain about my case", True),
    ("jeg er 13 og har ingen at snakke med", False),
])
def test_a_young_person_about_their_own_case_wants_the_municipality(text, municipal):
    assert wants_the_municipality(text) is municipal


@pytest.mark.parametrize("text", ["hvad hedder hun", "kan jeg maile i stedet for at ringe?",
                                  "og hvem er han"])
def test_a_name_or_writing_instead_of_calling_is_an_ask_for_the_contact(text):
    assert is_contact_ask(text)


@pytest.mark.parametrize(("text", "back"), [("hvem driver den?", True),
                                            ("hvad koster det at ringe dertil", True),
                                            ("hvem kan jeg selv ringe til", False),
                                            ("hvad siger politikken om overgange", False)])
def test_a_short_question_pointing_back_is_about_the_last_card(text, back):
    assert refers_back(text) is back


@pytest.mark.parametrize(("text", "back"), [("hvorfor er det vigtigt?", True),
                                            ("hvor finder jeg saa reglerne for hende", True),
                                            ("gælder det også for store børn?", True),
                                            ("hvad er tidlig indsats", False),
                                            ("det er svært", False)])
def test_a_short_question_that_points_back(text, back):
    from bot.text import points_back
    assert points_back(text, 8) is back


@pytest.mark.parametrize("text", ["hvad er hendes titel?", "hvem er det man ringer til?",
                                  "er det hende der er chef", "men hvis jeg hellere vil ringe",
                                  "er 12345678 også hans nummer?"])
def test_a_question_about_the_person_on_the_card_is_an_ask_for_the_contact(text):
    assert is_contact_ask(text)


def test_a_question_after_a_clause_of_story_asks_for_a_person():
    from bot.contact_asks import asks_for_a_person
    assert asks_for_a_person("okay tak. hvem kan jeg så ringe til om min søns skole")


@pytest.mark.parametrize("text", ["og mailen?", "hvem står bag den?", "er det gratis at ringe",
                                  "skal det være en sikker mail?", "kan man sende ham en mail"])
def test_a_few_words_right_after_a_card_are_about_that_card(text):
    assert about_the_last_card(text)


@pytest.mark.parametrize("text", ["kan jeg få politikken på mail", "hvad er tidlig indsats",
                                  "min datter har det svært i skolen og vi ved ikke hvad vi "
                                  "skal gøre, hvem kan hjælpe os med det"])
def test_a_new_question_after_a_card_is_not_about_it(text):
    assert not about_the_last_card(text)
