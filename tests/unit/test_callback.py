"""Reading the parent's answers in the callback request."""

from __future__ import annotations

import pytest

from bot.callback import (
    DESCRIPTION,
    NAME,
    REACH,
    clean_description,
    clean_name,
    find_correction,
    find_phone,
    is_stop,
    looks_like_question,
    mentions_correction,
    new_reference,
    parse_reach,
    reach_from_slot,
    starts_own_path,
)
from bot.contact_asks import asks_for_a_person, is_contact_ask
from bot.privacy import contains_cpr


@pytest.mark.parametrize(
    "text",
    ["22334455", "22 33 44 55", "+45 22 33 44 55", "+4522334455", "0045 22334455",
     "ring på 22-33-44-55 efter kl 16", "mit nr er 22 33 44 55."],
)
def test_danish_phone_numbers_with_or_without_45_and_spaces(text):
    assert find_phone(text) == "+4522334455"
    assert parse_reach(text).display == "22 33 44 55"


@pytest.mark.parametrize("text", ["2233445", "223344556", "+46 22 33 44 55", "112", "nej"])
def test_other_numbers_are_not_phone_numbers(text):
    assert find_phone(text) is None


def test_email_is_lower_cased_and_phone_wins_when_both_are_given():
    assert parse_reach("skriv til Mette.Hansen@Eksempel.dk").email == "mette.hansen@eksempel.dk"
    assert parse_reach("22334455 eller mette@eksempel.dk").phone == "+4522334455"
    assert parse_reach("mette@eksempel") is None
    assert reach_from_slot("+4522334455").phone == "+4522334455"
    assert reach_from_slot("a@b.dk").email == "a@b.dk"


@pytest.mark.parametrize(
    ("text", "name"),
    [("Mette", "Mette"), ("jeg hedder mette hansen", "Mette Hansen"),
     ("Mit navn er Anne-Marie Østergaard", "Anne-Marie Østergaard"), ("Søren K.", "Søren K")],
)
def test_names_are_cleaned(text, name):
    assert clean_name(text) == name


@pytest.mark.parametrize("text", ["22334455", "<b>x</b>", "", "a b c d e f g h", "mette@x.dk"])
def test_non_names_are_refused(text):
    assert clean_name(text) is None


def test_description_refuses_cpr_numbers_and_overlong_text_and_strips_html():
    assert clean_description("Min søn 010203-1234 har svært ved skolen") == (None, "cpr")
    assert clean_description("x" * 1001) == (None, "long")
    assert clean_description("ok") == (None, "short")
    assert clean_description("<b>Overgang</b> til skole") == ("Overgang til skole", None)


def test_cpr_needs_a_real_date():
    assert contains_cpr("0102031234") and contains_cpr("010203 1234")
    assert not contains_cpr("3213451234")  # day 32, month 13
    assert not contains_cpr("22334455")


@pytest.mark.parametrize("text", ["stop", "Stop!", "glem det", "annuller", "STOP STOP"])
def test_stop_words(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["stop med at mobbe ham", "hvordan stopper jeg det"])
def test_stop_inside_a_sentence_is_not_a_stop(text):
    assert not is_stop(text)


def test_a_question_is_let_through_but_a_name_is_not():
    assert looks_like_question("hvad er tidlig indsats?", "faq_tidlig_indsats", 0.9)
    assert not looks_like_question("Mette", "faq_tidlig_indsats", 0.9)
    assert not looks_like_question("hvad er det?", "faq_tidlig_indsats", 0.3)
    assert looks_like_question("glem det hele", "stop_form", 0.9)


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("nummeret er forkert, det er 87 65 43 21", REACH, "+4587654321"),
        ("ret min mail", REACH, None),
        ("mit navn er stavet forkert, det er Mette", NAME, "Mette"),
        ("kan jeg lave beskrivelsen om", DESCRIPTION, None),
    ],
)
def test_corrections_name_the_field_and_the_new_value(text, slot, value):
    correction = find_correction(text)
    assert (correction.slot, correction.value) == (slot, value)


def test_consent_step_tells_correction_from_refusal():
    assert mentions_correction("nej, nummeret er forkert")
    assert mentions_correction("nej 87654321")
    assert not mentions_correction("nej tak")


def test_references_are_readable_and_distinct():
    refs = {new_reference() for _ in range(500)}
    assert len(refs) == 500
    assert all(r.startswith("HK-") and len(r) == 10 and not set(r) & set("01OI") for r in refs)


@pytest.mark.parametrize(
    ("text", "intent", "through"),
    [
        ("Mette Hansen", "correct_callback", False),  # a name, whatever DIET says
        ("Lars", "stop_form", False),
        ("ret mit nummer", "correct_callback", True),
        ("ups forkert navn", "correct_callback", True),
        ("jeg vil ikke alligevel", "stop_form", True),
        ("stop", "faq_inklusion", True),
        ("han vil slå sig selv ihjel", "acute_danger", True),
    ],
)
def test_stop_and_correction_need_words_that_say_so(text, intent, through):
    assert starts_own_path(text, intent) is through


@pytest.mark.parametrize("text", ["e-mail?", "telefon?", "og hans mail", "telefon nummer",
                                  "mail adresse", "kontakt info", "and his phone number?",
                                  "hvad er kommunens hovednummer", "telefonnummeret?",
                                  "og mailadressen"])
def test_a_bare_ask_for_a_contact_detail(text):
    assert is_contact_ask(text)


@pytest.mark.parametrize("text", [
    "ret mit nummer", "min mail er mette@eksempel.dk", "22 33 44 55", "mit nummer er forkert",
    "min søn har ikke noget telefonnummer og det gør det svært for ham i skolen",
    "retningslinjerne som e-mail", "kan pdf'en komme på mail",
    "skal jeg give mit cpr-nummer", "CPR nummer?",
])
def test_a_correction_an_answer_or_a_story_is_not_an_ask_for_a_contact(text):
    assert not is_contact_ask(text)


@pytest.mark.parametrize("text", [
    "Hvem kan jeg ringe til om tandplejen for min søn?",
    "er der nogen man kan tale med om inklusion i skolen",
    "Kan jeg skrive en mail til en medarbejder om overgangen til skole?",
    "hvem skal jeg henvende mig til om specialtilbud",
])
def test_asking_who_to_contact_about_a_topic_asks_for_a_person(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", [
    "hvem er politikken for", "hvem har lavet retningslinjerne",
    "jeg vil gerne tale med nogen om min søns skolegang",
    "hvordan inddrager I familien og netværket", "hvem sørger for tandplejen",
])
def test_asking_who_a_text_is_for_or_by_is_not_asking_for_a_person(text):
    assert not asks_for_a_person(text)


@pytest.mark.parametrize(("text", "for_the_child"), [
    ("hvor kan min datter selv ringe hen?", True),
    ("findes der en rådgivning for unge", True),
    ("kan han selv skrive til nogen", True),
    ("hvem kan jeg ringe til om tandplejen", False),
    ("kan jeg tale med en leder", False),
])
def test_a_line_for_the_child_themselves(text, for_the_child):
    from bot.contact_asks import asks_for_the_childs_own_line
    assert asks_for_the_childs_own_line(text) is for_the_child
