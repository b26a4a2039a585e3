"""The actions, run with rasa-sdk's own Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contacts import ActionAcuteDanger, ActionContactPerson, ActionSupportWorry
from actions.fallback import ActionClarify, ActionOutOfScope
from actions.knowledge import ActionAnswerSection
from actions.privacy import ValidateSlotMappings


def _tracker(intent: str, slots: Optional[Dict[str, Any]] = None,
             ranking: Optional[List[Dict[str, Any]]] = None, **parse: Any) -> Tracker:
    latest = {"text": "…", "intent": {"name": intent, "confidence": 0.9},
              "intent_ranking": ranking or [], **parse}
    return Tracker("parent-1", slots or {}, latest, [], False, None, {}, "action_listen")


def _run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def _custom(messages, key):
    return [m["custom"][key]["id"] for m in messages if key in (m.get("custom") or {})]


def test_answer_section_sends_answer_and_source_and_remembers_the_topic(knowledge):
    messages, events = _run(ActionAnswerSection(), _tracker("faq_sundhedspleje"))
    assert messages[0]["text"] == knowledge.sections["sundhedspleje"].answer
    assert _custom(messages, "source") == ["sundhedspleje"]
    assert events == [{"event": "slot", "timestamp": None, "name": "last_section",
                       "value": "sundhedspleje"}]


def test_answer_section_for_an_unknown_intent_asks_instead_of_guessing():
    messages, events = _run(ActionAnswerSection(), _tracker("greet"))
    assert not _custom(messages, "source") and events == []
    assert "andre ord" in messages[0]["text"]


def test_contact_follows_the_topic_in_context():
    messages, _ = _run(ActionContactPerson(),
                       _tracker("request_person", slots={"last_section": "inklusion"}))
    assert "inklusion" in messages[0]["text"]
    assert _custom(messages, "contact") == ["centerchef"]


def test_contact_without_context_gives_the_centre_chief():
    messages, _ = _run(ActionContactPerson(), _tracker("request_person"))
    assert _custom(messages, "contact") == ["centerchef"]


def test_acute_danger_starts_with_112():
    messages, _ = _run(ActionAcuteDanger(), _tracker("acute_danger"))
    assert messages[0]["text"].startswith("Ring 112 nu")
    assert _custom(messages, "contact")[0] == "alarm-112"


def test_worry_answers_with_a_person_and_cites_no_section():
    messages, events = _run(ActionSupportWorry(), _tracker("express_worry"))
    assert _custom(messages, "source") == []
    assert _custom(messages, "contact") == ["centerchef"]
    assert not any(e.get("name") == "last_section" for e in events)


def test_out_of_scope_cites_nothing():
    messages, _ = _run(ActionOutOfScope(), _tracker("out_of_scope"))
    assert not _custom(messages, "source")


def test_clarify_names_the_input_problem():
    messages, _ = _run(ActionClarify(), _tracker("nlu_fallback", input_problem="too_long"))
    assert "for lang" in messages[0]["text"]


def test_clarify_offers_the_two_likeliest_topics():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "faq_inklusion", "confidence": 0.45},
               {"name": "faq_specialtilbud", "confidence": 0.4}]
    messages, _ = _run(ActionClarify(), _tracker("nlu_fallback", ranking=ranking))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["Inklusion", "Børn og unge i udsatte positioner", "Tal med en medarbejder"]
    assert not _custom(messages, "source")


def test_two_close_topics_get_the_likelier_answer_and_the_other_as_a_button(knowledge):
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "faq_overgange", "confidence": 0.54},
               {"name": "faq_specialtilbud", "confidence": 0.44}]
    messages, events = _run(ActionClarify(), _tracker("nlu_fallback", ranking=ranking))
    assert messages[0]["text"] == knowledge.sections["overgange"].answer
    assert _custom(messages, "source") == ["overgange"]
    assert messages[-1]["buttons"] == [{"title": knowledge.sections["specialtilbud"].title,
                                        "payload": "/faq_specialtilbud"}]
    assert {"event": "slot", "name": "last_section", "value": "overgange"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events]


def test_a_close_call_between_a_topic_and_something_else_still_asks():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "faq_overgange", "confidence": 0.52},
               {"name": "request_person", "confidence": 0.46}]
    messages, _ = _run(ActionClarify(), _tracker("nlu_fallback", ranking=ranking))
    assert not _custom(messages, "source") and "buttons" in messages[0]


def test_privacy_note_states_the_retention_limit_and_secure_mail(monkeypatch):
    from actions.privacy import ActionPrivacyNote

    monkeypatch.setenv("RETENTION_DAYS", "14")
    messages, _ = _run(ActionPrivacyNote(), _tracker("ask_privacy"))
    text = " ".join(m["text"] for m in messages)
    assert "14 dage" in text and "sikker mail" in text and "CPR-nummer" in text
    assert "20 67 42 14" in text
    assert _custom(messages, "source") == []


def test_unsure_between_calling_and_being_called_gives_the_person_either_way():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "request_person", "confidence": 0.47},
               {"name": "request_callback", "confidence": 0.46}]
    messages, _ = _run(ActionClarify(), _tracker("nlu_fallback", ranking=ranking))
    assert _custom(messages, "contact") == ["centerchef"]


def _after_message(text: str, intent: str = "faq_tidlig_indsats",
                   active_loop: Optional[str] = None, slots: Optional[Dict] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": latest}]
    return Tracker("parent-1", slots or {}, latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def _validate(tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateSlotMappings().run(dispatcher, tracker, {"slots": {}}))
    return dispatcher.messages, events


def test_a_cpr_number_gets_the_notice_before_the_answer(knowledge):
    messages, events = _validate(_after_message("cpr 010203-1234. Hvad er tidlig indsats?"))
    assert messages[0]["text"].startswith("Jeg har ikke gemt det CPR-nummer")
    assert events == []


def test_the_notice_routes_to_the_contact_of_the_topic_in_context():
    messages, _ = _validate(_after_message("min mail er mor@example.dk",
                                           slots={"last_section": "inklusion"}))
    assert messages[0]["text"].startswith("Jeg har ikke gemt den mailadresse")
    assert messages[0]["buttons"][0]["payload"] == "/request_callback"


def test_no_notice_for_the_municipalitys_own_number_which_is_kept():
    assert _validate(_after_message("jeg har ringet til 20 67 42 14 uden svar")) == ([], [])


def test_no_notice_for_an_ordinary_message_or_the_forms_phone_answer():
    assert _validate(_after_message("Hvad er tidlig indsats?")) == ([], [])
    answer = _after_message("22 33 44 55", "inform", "callback_form",
                            {"requested_slot": "callback_reach"})
    assert _validate(answer) == ([], [])


def test_a_contact_card_is_remembered_and_a_bare_ask_after_childrens_line_gets_it_again():
    from actions.contacts import ActionContactPerson
    messages, events = _run(ActionContactPerson(),
                            _tracker("request_person", text="hvad er børnetelefonens nummer"))
    assert _custom(messages, "contact") == ["boernetelefonen"]
    assert {"event": "slot", "timestamp": None, "name": "last_contact",
            "value": "boernetelefonen"} in events
    again, _ = _run(ActionContactPerson(), _tracker(
        "request_person", slots={"last_contact": "boernetelefonen"}, text="hvad var nummret igen"))
    assert _custom(again, "contact") == ["boernetelefonen"]
    chief, _ = _run(ActionContactPerson(), _tracker(
        "request_person", slots={"last_contact": "centerchef"}, text="hvad var nummret igen"))
    assert _custom(chief, "contact") == ["centerchef"]
