"""Shared base for the bot's actions: answer from the knowledge, send the replies."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import Knowledge, load_knowledge
from bot.replies import Reply


@dataclass
class Answer:
    """What an action sends (built by `bot.replies`) and the events it returns."""

    replies: List[Reply]
    events: List[Dict[str, Any]] = field(default_factory=list)


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


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
        return answer.events
