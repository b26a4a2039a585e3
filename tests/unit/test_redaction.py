"""Redaction of texts and events (bot.redaction)."""

from __future__ import annotations

from cryptography.fernet import Fernet

from bot.redaction import (
    Redactor,
    SlotCipher,
    private_value,
    public_contact_keys,
    valid_key,
)

PRIVATE = frozenset({"callback_name", "callback_reach"})


def test_detected_data_becomes_typed_placeholders():
    text = "Min søn Oliver (010203-1234) kan nås på 22 33 44 55 eller mor@example.dk"
    assert Redactor().text(text) == (
        "Min søn [NAVN] ([CPR]) kan nås på [TELEFON] eller [EMAIL]")
    assert Redactor(names=False).text(text).startswith("Min søn Oliver ([CPR])")


def test_ten_digits_without_a_real_date_are_kept():
    assert Redactor().text("sag 3213451234 og 310299-1234") == "sag 3213451234 og 310299-1234"


def test_the_directorys_own_numbers_stay_readable():
    public = public_contact_keys(["20674214"], ["cbfbo@herning.dk"])
    text = "Ring til centerchefen på 20 67 42 14 eller cbfbo@herning.dk, ikke 22 33 44 55"
    assert Redactor(public=public).text(text) == (
        "Ring til centerchefen på 20 67 42 14 eller cbfbo@herning.dk, ikke [TELEFON]")


def test_a_private_name_is_found_in_any_case_and_spacing():
    redactor = Redactor(private=[private_value("Mette Hansen")])
    assert redactor.text("jeg hedder mette  hansen") == "jeg hedder [NAVN]"
    assert redactor.text("Navn: Mette Hansen.") == "Navn: [NAVN]."
    assert redactor.text("Mettes hansen-bog") == "Mettes hansen-bog"  # whole words only


def test_a_private_phone_number_is_found_however_it_is_grouped():
    redactor = Redactor(names=False, private=[private_value("+4561728394")])
    for written in ("61728394", "6172 8394", "61-72-83-94", "+45 61 72 83 94",
                    "0045 6172 83 94", "6 1 7 2 8 3 9 4"):
        assert redactor.text(f"ring på {written} tak") == "ring på [TELEFON] tak", written
    assert redactor.text("161728394") == "161728394"  # a longer number is another number


def test_a_private_email_is_found_in_any_case():
    redactor = Redactor(private=[private_value("mette@eksempel.dk")])
    assert redactor.text("skriv til METTE@Eksempel.DK") == "skriv til [EMAIL]"


def test_values_that_cannot_be_found_safely_are_not_patterns():
    assert private_value("") is None and private_value("A") is None
    assert private_value(None) is None and private_value(True) is None


def test_user_event_is_redacted_but_keeps_the_classifiers_verdict():
    event = {
        "event": "user", "timestamp": 1.0, "text": "cpr 010203-1234", "input_channel": "rest",
        "message_id": "a1234567890b", "metadata": {"note": ["mail mor@example.dk"]},
        "parse_data": {"text": "cpr 010203-1234", "intent": {"name": "faq_x", "confidence": 0.9},
                       "intent_ranking": [{"name": "faq_x", "confidence": 0.9}],
                       "entities": [{"entity": "callback_field", "value": "22334455"}]},
    }
    redacted = Redactor().event(event)
    assert redacted["text"] == "cpr [CPR]" and redacted["parse_data"]["text"] == "cpr [CPR]"
    assert redacted["parse_data"]["intent"] == event["parse_data"]["intent"]
    assert redacted["parse_data"]["entities"][0]["value"] == "[TELEFON]"
    assert redacted["metadata"] == {"note": ["mail [EMAIL]"]}
    assert redacted["message_id"] == "a1234567890b" and redacted["timestamp"] == 1.0
    assert event["text"] == "cpr 010203-1234"  # the input is left alone


def test_private_slots_are_sealed_and_other_slots_redacted():
    cipher = SlotCipher()
    sealed = Redactor().event({"event": "slot", "name": "callback_name", "value": "Mette"},
                              PRIVATE, cipher)
    assert sealed["value"].startswith("sealed:v1:") and "Mette" not in sealed["value"]
    assert cipher.open(sealed["value"]) == "Mette"
    other = Redactor().event({"event": "slot", "name": "callback_description",
                              "value": "ring 22 33 44 55"}, PRIVATE, cipher)
    assert other["value"] == "ring [TELEFON]"
    empty = {"event": "slot", "name": "callback_name", "value": None}
    assert Redactor().event(empty, PRIVATE, cipher) == empty


def test_a_sealed_value_opens_only_with_its_key():
    key = Fernet.generate_key().decode()
    sealed = SlotCipher(key).seal({"phone": "+4522334455"})
    assert SlotCipher(key).open(sealed) == {"phone": "+4522334455"}
    assert SlotCipher().open(sealed) is None  # another process's key: asked again
    # Without a key, every store in this process shares its random one, so a store
    # rebuilt by a model swap still opens what the previous one sealed.
    assert SlotCipher().open(SlotCipher().seal("Mette")) == "Mette"
    assert SlotCipher(key).open(sealed[:-6] + "AAAAAA") is None  # damaged
    assert SlotCipher(key).open("plain") == "plain"
    assert valid_key(key) and not valid_key("not-a-key")


def test_an_answer_to_a_private_question_keeps_only_what_the_form_read():
    redactor = Redactor(private=[private_value("Sigrid Holm"), private_value("+4561728394")])
    assert redactor.answer("jeg hedder Sigrid Holm", "[NAVN]") == "jeg hedder [NAVN]"
    assert redactor.answer("ring på 61 72 83 94", "[KONTAKT]") == "ring på [TELEFON]"
    # Not read by the form (refused, or not a name it knows yet): nothing of it is kept.
    assert redactor.answer("jeg hedder Mette, tak", "[NAVN]") == "[NAVN]"
    assert redactor.answer("Mette 22334455", "[NAVN]") == "[NAVN]"
    event = {"event": "user", "text": "Mette (mor til Oliver)",
             "parse_data": {"text": "Mette (mor til Oliver)", "intent": {"name": "inform"}}}
    stored = redactor.event(event, answer="[NAVN]")
    assert stored["text"] == "[NAVN]" and stored["parse_data"]["text"] == "[NAVN]"
    assert stored["parse_data"]["intent"] == {"name": "inform"}


def test_a_private_name_never_changes_another_slots_value():
    redactor = Redactor(private=[private_value("Inklusion")])
    slot = {"event": "slot", "name": "last_section", "value": "inklusion"}
    assert redactor.event(slot, PRIVATE, SlotCipher()) == slot
