"""Shared base for the bot's actions: answer from the knowledge, send the replies."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import EMERGENCY_CONTACT_ID, Knowledge, load_knowledge
from bot.replies import Reply


@dataclass
class Answer:
    """What an action sends (built by `bot.replies`) and the events it returns."""

    replies: List[Reply]
    events: List[Dict[str, Any]] = field(default_factory=list)


YOUNG_WRITER_SLOT = "young_writer"
LAST_CONTACT_SLOT = "last_contact"


def last_contact_events(replies: List[Reply], tracker: Tracker) -> List[Dict[str, Any]]:
    """Remember the latest contact card sent (112 aside), for follow-ups about it."""
    cards = [r["json_message"]["contact"]["id"] for r in replies
             if isinstance(r.get("json_message"), dict) and "contact" in r["json_message"]]
    cards = [c for c in cards if c != EMERGENCY_CONTACT_ID]
    if cards and cards[-1] != tracker.get_slot(LAST_CONTACT_SLOT):
        return [SlotSet(LAST_CONTACT_SLOT, cards[-1])]
    return []


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def intent_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def previous_action(tracker: Tracker) -> str:
    """The bot's last action before the latest message ("" at the start)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and \
                event.get("name") not in ("action_listen", None):
            return str(event["name"])
    return ""


def writer(tracker: Tracker) -> Dict[str, Any]:
    """The safety net's reading of the latest message: {"young", "language"}."""
    found = tracker.latest_message.get("writer")
    return found if isinstance(found, dict) else {}


def young_writer(tracker: Tracker) -> bool:
    """A child or young person writing about themselves, now or earlier on."""
    return bool(writer(tracker).get("young") or tracker.get_slot(YOUNG_WRITER_SLOT))


def writer_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """Remember a young writer for the rest of the conversation."""
    if writer(tracker).get("young") and not tracker.get_slot(YOUNG_WRITER_SLOT):
        return [SlotSet(YOUNG_WRITER_SLOT, True)]
    return []


class KnowledgeAction(Action, ABC):
    """An action that answers from `data/knowledge/` (abstract: the executor skips it)."""

    @abstractmethod
    def name(self) -> str:
        raise NotImplementedError

    @abstractmethod
    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        raise NotImplementedError

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        answer = self.answer(load_knowledge(), tracker)
        for reply in answer.replies:
            dispatcher.utter_message(**reply)
        return answer.events + last_contact_events(answer.replies, tracker)
