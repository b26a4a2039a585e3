"""Answer a policy question from its section, citing the source."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import Answer, KnowledgeAction, latest_intent
from bot.knowledge import Knowledge
from bot.replies import clarify_reply, section_answer

LAST_SECTION_SLOT = "last_section"


class ActionAnswerSection(KnowledgeAction):
    """The section answer for the `faq_*` intent, then its `custom.source` message."""

    def name(self) -> str:
        return "action_answer_section"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        section = knowledge.section_for_intent(latest_intent(tracker))
        if section is None:
            return Answer(clarify_reply(knowledge, []))
        return Answer(section_answer(section), [SlotSet(LAST_SECTION_SLOT, section.id)])
