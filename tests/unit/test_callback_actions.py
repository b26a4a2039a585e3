"""The callback actions, run with rasa-sdk's own Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import (
    ActionAskCallbackConsent,
    ActionCancelCallback,
    ActionCorrectCallback,
    ActionStartCallback,
    ActionSubmitCallback,
    ValidateCallbackForm,
)
from actions.contacts import ActionAcuteDanger
from bot.handoff_store import HandoffStore

FILLED = {"callback_description": "Overgang til skole", "callback_name": "Mette",
          "callback_reach": "+4522334455", "callback_topic": "overgange",
          "callback_contact": "centerchef"}


def tracker(text: str = "…", intent: str = "nlu_fallback", slots: Optional[Dict] = None,
            loop: Optional[str] = "callback_form", confidence: float = 0.9,
            entities: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "entities": entities or []}
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": latest},
              {"event": "action", "name": "callback_form"}]
    return Tracker("parent-7", slots or {}, latest, events, False, None,
                   {"name": loop} if loop else {}, "callback_form")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, {})
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return dispatcher.messages, {e["name"]: e.get("value") for e in result if "name" in e}, result


def text_of(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture
def channels(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "1")  # nothing listens: deliveries stay undelivered
    monkeypatch.setenv("SMTP_FROM", "chatbot@herning.test")
    monkeypatch.setenv("NOTIFY_ATTEMPTS", "1")
    url = f"sqlite:///{tmp_path / 'handoffs.db'}"
    monkeypatch.setenv("HANDOFF_DB_URL", url)
    return HandoffStore(url)


def test_start_without_any_channel_gives_the_phone_number_instead(monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.delenv("HANDOFF_WEBHOOK_URL", raising=False)
    messages, slots, _ = run(ActionStartCallback(), tracker(loop=None))
    assert slots["callback_available"] is False
    assert "20 67 42 14" in text_of(messages)


def test_start_names_the_routed_contact_and_warns_about_sensitive_data(channels):
    messages, slots, _ = run(ActionStartCallback(),
                             tracker(loop=None, slots={"last_section": "overgange"}))
    assert slots["callback_available"] is True and slots["callback_contact"] == "centerchef"
    assert slots["callback_topic"] == "overgange"
    assert any("contact" in (m.get("custom") or {}) for m in messages)


def test_submit_stores_and_gives_the_reference(channels):
    messages, _, _ = run(ActionSubmitCallback(),
                         tracker(slots={**FILLED, "callback_consent": True}, loop=None))
    [stored] = channels.for_conversation("parent-7")
    assert stored.reference in text_of(messages)
    assert stored.parent_phone == "+4522334455" and stored.topic_id == "overgange"


def test_submit_without_consent_stores_nothing(channels):
    messages, slots, _ = run(ActionSubmitCallback(),
                             tracker(slots={**FILLED, "callback_consent": False}, loop=None))
    assert "sender ikke noget" in text_of(messages)
    assert channels.all() == []
    assert slots["callback_name"] is None


def test_failed_write_tells_the_parent_and_gives_the_phone_number(channels, monkeypatch,
                                                                 tmp_path):
    monkeypatch.setenv("HANDOFF_DB_URL", f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    messages, _, _ = run(ActionSubmitCallback(),
                         tracker(slots={**FILLED, "callback_consent": True}, loop=None))
    assert "lykkedes ikke" in text_of(messages) and "20 67 42 14" in text_of(messages)


def test_name_answer_is_taken_even_when_the_classifier_says_correction():
    form = ValidateCallbackForm()
    t = tracker("Mette Hansen", "correct_callback", {"requested_slot": "callback_name"})
    assert asyncio.run(form.extract_callback_name(CollectingDispatcher(), t, {})) == {
        "callback_name": "Mette Hansen"}


def test_question_at_the_name_step_is_let_through():
    form = ValidateCallbackForm()
    t = tracker("hvad er tidlig indsats?", "faq_tidlig_indsats",
                {"requested_slot": "callback_name"})
    assert asyncio.run(form.extract_callback_name(CollectingDispatcher(), t, {})) == {}


def test_returning_to_the_form_after_a_question_does_not_reuse_that_question():
    form = ValidateCallbackForm()
    t = tracker("Mette", "nlu_fallback", {"requested_slot": "callback_name"})
    t.events.insert(2, {"event": "action", "name": "action_answer_section"})
    assert asyncio.run(form.extract_callback_name(CollectingDispatcher(), t, {})) == {}


def test_consent_step_correction_changes_the_number_and_asks_again():
    form = ValidateCallbackForm()
    t = tracker("nej nummeret er forkert, det er 87 65 43 21", "deny",
                {**FILLED, "requested_slot": "callback_consent"})
    dispatcher = CollectingDispatcher()
    slots = asyncio.run(form.extract_callback_consent(dispatcher, t, {}))
    assert slots == {"callback_reach": "+4587654321", "callback_consent": None}
    assert "87 65 43 21" in text_of(dispatcher.messages)


def test_invalid_phone_is_explained_and_asked_again():
    dispatcher = CollectingDispatcher()
    result = ValidateCallbackForm().validate_callback_reach("123", dispatcher, tracker(), {})
    assert result == {"callback_reach": None}
    assert "8 cifre" in text_of(dispatcher.messages)


def test_correction_button_resets_that_answer():
    t = tracker("/correct_callback", "correct_callback", FILLED,
                entities=[{"entity": "callback_field", "value": "callback_name"}])
    messages, slots, _ = run(ActionCorrectCallback(), t)
    assert slots["callback_name"] is None and slots["callback_consent"] is None
    assert "dit navn" in text_of(messages)


def test_consent_question_shows_what_goes_to_whom():
    messages, _, _ = run(ActionAskCallbackConsent(), tracker(slots=FILLED))
    summary = text_of(messages)
    assert "Bo Ulrich Bertelsen" in summary and "22 33 44 55" in summary
    assert "Overgang til skole" in summary and "Mette" in summary


def test_stop_and_danger_close_the_form():
    _, slots, events = run(ActionCancelCallback(), tracker(slots=FILLED))
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert slots["callback_description"] is None
    messages, _, events = run(ActionAcuteDanger(), tracker(slots=FILLED))
    assert messages[0]["text"].startswith("Ring 112 nu")
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
