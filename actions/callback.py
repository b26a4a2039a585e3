"""The callback request: start, ask, validate, correct, stop and submit.

The form `callback_form` (domain.yml) asks for the slots in `bot.callback.FORM_SLOTS`.
Decisions about the parent's words live in `bot.callback`; replies in
`bot.callback_replies`; storage and delivery in `bot.handoff_store` and `bot.notify`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Set

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import latest_intent
from actions.knowledge import LAST_SECTION_SLOT
from bot import callback_replies as replies
from bot import settings
from bot.callback import (
    CONSENT,
    DESCRIPTION,
    DESCRIPTION_MAX_CHARS,
    FORM_SLOTS,
    NAME,
    REACH,
    Correction,
    clean_description,
    clean_name,
    find_correction,
    looks_like_question,
    mentions_correction,
    parse_reach,
    reach_from_slot,
    starts_own_path,
)
from bot.contact_asks import asks_for_contact_detail
from bot.handoff_store import HandoffStoreError, NewRequest, store_for
from bot.knowledge import Contact, Knowledge, Section, load_knowledge
from bot.notify import Notifier, delivery_targets
from bot.privacy import redact

logger = logging.getLogger(__name__)

FORM = "callback_form"
AVAILABLE_SLOT = "callback_available"
TOPIC_SLOT = "callback_topic"
CONTACT_SLOT = "callback_contact"
FIELD_ENTITY = "callback_field"
SMALL_TALK_INTENTS = frozenset({"affirm", "deny", "greet", "goodbye", "thank"})

# Deliveries running in the background; kept so they are not garbage-collected.
_deliveries: Set[asyncio.Task] = set()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def _confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def _routed(knowledge: Knowledge, tracker: Tracker) -> tuple[Contact, Optional[Section]]:
    """The contact fixed when the form started (else routed by the topic in context)."""
    topic = tracker.get_slot(TOPIC_SLOT) or tracker.get_slot(LAST_SECTION_SLOT)
    section = knowledge.sections.get(topic or "")
    contact = knowledge.contacts.get(tracker.get_slot(CONTACT_SLOT) or "")
    return contact or knowledge.contact_for_section(topic), section


def _redacted(description: Optional[str]) -> Optional[str]:
    """The description as staff get it: phone numbers, e-mails (and children's names,
    unless PRIVACY_REDACT_NAMES is off) replaced; the parent's own contact details
    travel in their own consented fields."""
    if description is None:
        return None
    return redact(description, names=settings.load().privacy_redact_names)


def reset_form() -> List[Dict[str, Any]]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, TOPIC_SLOT, CONTACT_SLOT)]


def _answered_just_now(tracker: Tracker) -> bool:
    """True when the form runs on a fresh user message (not on return after a question)."""
    seen_form = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind != "action":
            continue
        name = event.get("name")
        if name in ("action_listen", "action_extract_slots"):
            continue
        if name == FORM and not seen_form:
            seen_form = True
            continue
        return False
    return False


class ActionStartCallback(Action):
    """Introduces the request and its contact, or says how to call when it cannot send."""

    def name(self) -> str:
        return "action_start_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        knowledge = load_knowledge()
        topic = tracker.get_slot(LAST_SECTION_SLOT)
        contact = knowledge.contact_for_section(topic)
        section = knowledge.sections.get(topic or "")
        if not delivery_targets(settings.load(), contact):
            for reply in replies.callback_unavailable(contact):
                dispatcher.utter_message(**reply)
            return [SlotSet(AVAILABLE_SLOT, False)]
        for reply in replies.callback_intro(contact, section, _now()):
            dispatcher.utter_message(**reply)
        return [*reset_form(), SlotSet(AVAILABLE_SLOT, True),
                SlotSet(TOPIC_SLOT, section.id if section else None),
                SlotSet(CONTACT_SLOT, contact.id)]


class ValidateCallbackForm(FormValidationAction):
    """Reads each answer; lets questions, corrections, stop and danger through."""

    def name(self) -> str:
        return "validate_callback_form"

    def _candidate(self, slot: str, tracker: Tracker) -> Optional[str]:
        """The message text if it answers `slot` now, else None (the form lets it pass)."""
        if tracker.get_slot("requested_slot") != slot or not _answered_just_now(tracker):
            return None
        text = _text(tracker)
        return None if starts_own_path(text, latest_intent(tracker)) else text

    # Extraction: which messages count as answers.
    async def extract_callback_description(self, dispatcher: CollectingDispatcher,
                                           tracker: Tracker, domain: DomainDict
                                           ) -> Dict[str, Any]:
        text = self._candidate(DESCRIPTION, tracker)
        return {} if text is None else {DESCRIPTION: text}

    async def extract_callback_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[str, Any]:
        text = self._candidate(NAME, tracker)
        if text is None or looks_like_question(text, latest_intent(tracker),
                                               _confidence(tracker)):
            return {}
        return {NAME: text}

    async def extract_callback_reach(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[str, Any]:
        text = self._candidate(REACH, tracker)
        if text is None:
            return {}
        if parse_reach(text) is None and looks_like_question(
            text, latest_intent(tracker), _confidence(tracker)
        ):
            return {}
        return {REACH: text}

    async def extract_callback_consent(self, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict
                                       ) -> Dict[str, Any]:
        text = self._candidate(CONSENT, tracker)
        if text is None:
            return {}
        intent = latest_intent(tracker)
        if mentions_correction(text):
            # "nej, nummeret er forkert: 22 33 44 55" changes an answer; it is no refusal.
            events = _apply_correction(find_correction(text), dispatcher, tracker)
            return {**{e["name"]: e["value"] for e in events}, CONSENT: None}
        if intent == "affirm":
            return {CONSENT: True}
        if intent == "deny":
            return {CONSENT: False}
        if looks_like_question(text, intent, _confidence(tracker)):
            return {}
        for reply in replies.consent_unclear():
            dispatcher.utter_message(**reply)
        return {CONSENT: None}

    # Validation: is the answer usable; {slot: None} asks again.
    def validate_callback_description(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict
                                      ) -> Dict[str, Any]:
        if value is None:
            return {DESCRIPTION: None}
        description, problem = clean_description(str(value))
        if problem:
            for reply in replies.description_problem(problem, DESCRIPTION_MAX_CHARS):
                dispatcher.utter_message(**reply)
        # The summary shows the description as it will be sent.
        return {DESCRIPTION: _redacted(description)}

    def validate_callback_name(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {NAME: None}
        name = clean_name(str(value))
        small_talk = (latest_intent(tracker) in SMALL_TALK_INTENTS
                      and _confidence(tracker) >= 0.6 and _answered_just_now(tracker))
        if name is None or (small_talk and len(name.split()) == 1):
            for reply in replies.name_problem():
                dispatcher.utter_message(**reply)
            return {NAME: None}
        return {NAME: name}

    def validate_callback_reach(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {REACH: None}
        reach = parse_reach(str(value))
        if reach is None:
            for reply in replies.reach_problem():
                dispatcher.utter_message(**reply)
            return {REACH: None}
        return {REACH: reach.as_slot()}

    def validate_callback_consent(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        return {CONSENT: value if isinstance(value, bool) else None}


class ActionAskCallbackConsent(Action):
    """Shows what will be sent to whom, and asks for consent."""

    def name(self) -> str:
        return "action_ask_callback_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        contact, section = _routed(load_knowledge(), tracker)
        reach = reach_from_slot(tracker.get_slot(REACH))
        if reach is None:  # cannot happen: the form fills the slot first
            return [SlotSet("requested_slot", REACH)]
        for reply in replies.ask_consent(contact, section, tracker.get_slot(DESCRIPTION),
                                         tracker.get_slot(NAME), reach):
            dispatcher.utter_message(**reply)
        return []


def _apply_correction(correction: Correction, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> List[Dict[str, Any]]:
    slot, value = correction.slot, correction.value
    if slot is None:
        filled = [s for s in (DESCRIPTION, NAME, REACH) if tracker.get_slot(s)]
        for reply in replies.which_correction(filled):
            dispatcher.utter_message(**reply)
        return []
    if slot == DESCRIPTION and value:
        value = _redacted(value)
    shown = value
    if slot == REACH and value:
        reach = reach_from_slot(value)
        shown = reach.display if reach else value
    for reply in replies.corrected(slot, shown):
        dispatcher.utter_message(**reply)
    return [SlotSet(slot, value), SlotSet(CONSENT, None)]


class ActionCorrectCallback(Action):
    """'Ret mit telefonnummer': takes a new value at once, or asks for it again."""

    def name(self) -> str:
        return "action_correct_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        if tracker.active_loop.get("name") != FORM:
            if asks_for_contact_detail(_text(tracker)):
                # "telefon nummer" with nothing to correct: the contact in context.
                # (Imported here: actions.contacts imports this module.)
                from actions.contacts import ActionContactPerson

                return ActionContactPerson().run(dispatcher, tracker, domain)
            for reply in replies.nothing_to_correct():
                dispatcher.utter_message(**reply)
            return []
        field = next(tracker.get_latest_entity_values(FIELD_ENTITY), None)
        correction = find_correction(_text(tracker))
        if field in (DESCRIPTION, NAME, REACH):
            value = correction.value if correction.slot == field else None
            correction = Correction(field, value)
        events = _apply_correction(correction, dispatcher, tracker)
        return [*events, SlotSet("requested_slot", None)] if events else events


class ActionCancelCallback(Action):
    """'Stop' / 'glem det': ends the form; nothing is stored or sent."""

    def name(self) -> str:
        return "action_cancel_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        in_form = tracker.active_loop.get("name") == FORM
        for reply in replies.cancelled(in_form):
            dispatcher.utter_message(**reply)
        if not in_form:
            return []
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form()]


class ActionSubmitCallback(Action):
    """Stores the request atomically, gives its reference and notifies staff."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        knowledge, config = load_knowledge(), settings.load()
        contact, section = _routed(knowledge, tracker)
        reach = reach_from_slot(tracker.get_slot(REACH))
        description, name = _redacted(tracker.get_slot(DESCRIPTION)), tracker.get_slot(NAME)
        if tracker.get_slot(CONSENT) is not True or not (reach and description and name):
            for reply in replies.not_sent():
                dispatcher.utter_message(**reply)
            return reset_form()
        store = store_for(config.handoff_db_url)
        request = NewRequest(
            conversation_id=tracker.sender_id,
            topic_id=section.id if section else None,
            topic_title=section.title if section else None,
            contact_id=contact.id,
            contact_name=contact.name,
            contact_email=contact.email,
            description=description,
            parent_name=name,
            parent_phone=reach.phone,
            parent_email=reach.email,
        )
        try:
            stored = await asyncio.to_thread(
                store.create, request, delivery_targets(config, contact)
            )
        except HandoffStoreError:
            logger.exception("Callback request could not be stored")
            for reply in replies.store_failed(contact):
                dispatcher.utter_message(**reply)
            return reset_form()
        for reply in replies.submitted(stored, contact, reach, knowledge, _now()):
            dispatcher.utter_message(**reply)
        task = asyncio.get_running_loop().create_task(
            Notifier(store, config).deliver_with_retry(stored.reference)
        )
        _deliveries.add(task)
        task.add_done_callback(_deliveries.discard)
        return reset_form()
