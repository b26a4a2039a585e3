"""What the bot does with the parent's information, when asked."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import Answer, KnowledgeAction
from bot import settings
from bot.knowledge import Knowledge
from bot.replies import privacy_note


class ActionPrivacyNote(KnowledgeAction):
    """'Hvad gør I med mine oplysninger?': storage, retention, callback, secure mail."""

    def name(self) -> str:
        return "action_privacy_note"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        return Answer(privacy_note(knowledge, settings.load().retention_days))
