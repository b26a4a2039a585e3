"""The reply protocol of the design, built from the knowledge."""

from __future__ import annotations

from bot.replies import (
    clarify_reply,
    contact_reply,
    english_section_answer,
    followup_reply,
    format_phone,
    input_problem_reply,
    out_of_scope_reply,
    personal_data_notice,
    section_answer,
    worry_reply,
)
from bot.safety_replies import acute_danger_reply


def _custom(replies, key):
    return [r["json_message"][key] for r in replies if key in r.get("json_message", {})]


def test_section_answer_is_text_then_source(knowledge):
    replies = section_answer(knowledge.sections["overgange"])
    assert replies[0]["text"] == knowledge.sections["overgange"].answer
    assert _custom(replies, "source") == [{
        "id": "overgange",
        "title": "Sammenhænge og overgange",
        "document": "Herning Kommunes politik for sårbare børn og unge",
        "url": None,
    }]


def test_contact_reply_names_the_topic_and_carries_the_card(knowledge):
    replies = contact_reply(knowledge, "tandpleje")
    assert "tandpleje" in replies[0]["text"]
    assert "20 67 42 14" in replies[0]["text"]
    assert "sikker mail" in replies[0]["text"]
    card = _custom(replies, "contact")[0]
    assert card == {"id": "centerchef", "name": "Bo Ulrich Bertelsen", "role": "Centerchef",
                    "phone": "20674214", "email": "cbfbo@herning.dk"}


def test_acute_danger_says_call_112_first_then_childrens_line_then_municipality(knowledge):
    replies = acute_danger_reply(knowledge)
    assert replies[0]["text"].startswith("Ring 112 nu")
    assert [c["id"] for c in _custom(replies, "contact")] == [
        "alarm-112", "boernetelefonen", "centerchef"]
    assert "116 111" in replies[2]["text"]


def test_out_of_scope_cites_no_source_and_says_how_to_reach_a_person(knowledge):
    replies = out_of_scope_reply(knowledge)
    assert not _custom(replies, "source")
    assert "ikke hjælpe med" in replies[0]["text"]
    assert "20 67 42 14" in replies[0]["text"]


def test_worry_without_a_question_gives_a_person_and_topics_but_cites_nothing(knowledge):
    replies = worry_reply(knowledge)
    assert "112" in replies[0]["text"]
    assert not _custom(replies, "source")
    assert [c["id"] for c in _custom(replies, "contact")] == ["centerchef"]
    payloads = [b["payload"] for b in replies[-1]["buttons"]]
    assert payloads == ["/faq_tidlig_indsats", "/faq_inddragelse", "/request_callback"]


def test_clarify_offers_the_candidate_topics_and_a_person_never_an_answer(knowledge):
    replies = clarify_reply(knowledge, ["faq_inklusion", "greet", "faq_specialtilbud",
                                        "faq_tandpleje"])
    assert not _custom(replies, "source")
    payloads = [b["payload"] for b in replies[0]["buttons"]]
    assert payloads == ["/faq_inklusion", "/faq_specialtilbud", "/request_person"]


def test_clarify_without_candidates_asks_to_rephrase(knowledge):
    replies = clarify_reply(knowledge, ["greet"])
    assert "andre ord" in replies[0]["text"]
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/request_person"]


def test_input_problems_get_their_own_danish_answer(knowledge):
    texts = {p: input_problem_reply(p, knowledge, 2000)[0]["text"]
             for p in ("empty", "markup", "no_words", "too_long", "english")}
    assert "ikke nogen tekst" in texts["empty"]
    assert "HTML" in texts["markup"]
    assert "emojis" in texts["no_words"]
    assert "2.000 tegn" in texts["too_long"]
    assert "only answer in Danish" in texts["english"]
    assert len(set(texts.values())) == 5


def test_phone_numbers_are_grouped_the_danish_way():
    assert format_phone("20674214") == "20 67 42 14"
    assert format_phone("116111") == "116 111"
    assert format_phone("112") == "112"


def test_cpr_notice_says_it_was_not_stored_and_points_to_secure_mail(knowledge):
    contact = knowledge.default_contact
    replies = personal_data_notice(["CPR", "TELEFON"], contact)
    text = replies[0]["text"]
    assert text.startswith("Jeg har ikke gemt det CPR-nummer og det telefonnummer, du skrev; "
                           "de blev fjernet")
    assert f"sikker mail til centerchef {contact.name} på {contact.email}" in text
    assert "i telefonen på 20 67 42 14" in text
    assert _custom(replies, "contact")[0]["id"] == contact.id


def test_phone_notice_offers_a_callback_unless_one_is_being_asked_for(knowledge):
    contact = knowledge.default_contact
    replies = personal_data_notice(["TELEFON"], contact)
    assert replies[0]["text"].startswith("Jeg har ikke gemt det telefonnummer, du skrev; det")
    assert "sikker mail" in replies[0]["text"] and "ringet op" in replies[0]["text"]
    assert replies[0]["buttons"] == [{"title": "Bliv ringet op", "payload": "/request_callback"}]
    quiet = personal_data_notice(["EMAIL"], contact, offer_callback=False)
    assert quiet[0]["text"].startswith("Jeg har ikke gemt den mailadresse, du skrev; den blev "
                                       "fjernet, inden samtalen blev gemt.")
    assert "buttons" not in quiet[0] and "ringet op" not in quiet[0]["text"]
    assert personal_data_notice(["NAVN"], contact) == []


def test_a_follow_up_answers_the_latest_section_again_with_a_person(knowledge):
    replies = followup_reply(knowledge, "inklusion", "kan du forklare det igen")
    assert _custom(replies, "source")[0]["id"] == "inklusion"
    assert "Inklusion" in replies[0]["text"]
    assert [c["id"] for c in _custom(replies, "contact")] == ["centerchef"]


def test_asking_to_have_it_sent_gets_the_section_that_says_how(knowledge):
    replies = followup_reply(knowledge, "herningmodellen", "kan du sende den til mig på mail")
    assert [s["id"] for s in _custom(replies, "source")] == ["tilgaengelighed"]


def test_a_follow_up_with_nothing_before_it_asks_and_never_answers(knowledge):
    assert not _custom(followup_reply(knowledge, None, "forklar det"), "source")


def test_the_english_reply_carries_the_contact_card(knowledge):
    replies = input_problem_reply("english", knowledge, 2000)
    assert [c["id"] for c in _custom(replies, "contact")] == ["centerchef"]


def test_an_english_question_gets_a_note_the_danish_answer_its_source_and_a_person(knowledge):
    replies = english_section_answer(knowledge.sections["tandpleje"], knowledge)
    assert "only answer in Danish" in replies[0]["text"]
    assert replies[1]["text"] == knowledge.sections["tandpleje"].answer
    assert [s["id"] for s in _custom(replies, "source")] == ["tandpleje"]
    assert [c["id"] for c in _custom(replies, "contact")] == ["centerchef"]
