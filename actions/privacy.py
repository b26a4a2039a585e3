"""Privacy replies: the privacy note on request, and the notice after personal data."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker, ValidationAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import Answer, KnowledgeAction, latest_intent
from actions.knowledge import LAST_SECTION_SLOT
from bot import settings
from bot.knowledge import Knowledge, load_knowledge
from bot.privacy import notice_types
from bot.redaction import public_contact_keys
from bot.replies import personal_data_notice, privacy_note


class ActionPrivacyNote(KnowledgeAction):
    """'Hvad gør I med mine oplysninger?': storage, retention, callback, secure mail."""

    def name(self) -> str:
        return "action_privacy_note"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        config = settings.load()
        return Answer(privacy_note(knowledge, config.retention_days,
                                   names=config.privacy_redact_names))


class ValidateSlotMappings(ValidationAction):
    """`action_validate_slot_mappings`: Rasa runs it after every message, before the
    answer is chosen, and sends what it utters.

    Used here as that hook: when the message holds a CPR number, phone number or
    e-mail, the bot says first that it was not stored (the conversation store redacts
    it) and where such details belong. Global slot validation (`validate_<slot>`
    methods) would still work as rasa-sdk's `ValidationAction` does it.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        notice_personal_data(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)


def notice_personal_data(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    if tracker.latest_message.get("text") is None or not _just_said(tracker):
        return
    text = str(tracker.latest_message.get("text") or "")
    in_form = tracker.active_loop.get("name") == "callback_form"
    knowledge = load_knowledge()
    public = public_contact_keys([c.phone for c in knowledge.contacts.values()],
                                 [c.email or "" for c in knowledge.contacts.values()])
    types = notice_types(text, latest_intent(tracker), in_form,
                         tracker.get_slot("requested_slot") or "", public)
    if types:
        contact = knowledge.contact_for_section(tracker.get_slot(LAST_SECTION_SLOT))
        offer = latest_intent(tracker) != "request_callback"
        for reply in personal_data_notice(types, contact, offer_callback=offer):
            dispatcher.utter_message(**reply)


def _just_said(tracker: Tracker) -> bool:
    """True when the newest event is the parent's message (not a re-run later on)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "slot":
            continue
        return False
    return False
