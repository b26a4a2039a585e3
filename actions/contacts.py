"""Hand the parent to a person: the routed contact, or 112 in acute danger."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import Answer, KnowledgeAction
from actions.knowledge import LAST_SECTION_SLOT
from bot.knowledge import Knowledge
from bot.replies import acute_danger_reply, contact_reply, worry_reply


class ActionContactPerson(KnowledgeAction):
    """The contact for the topic in context ("hvem kan jeg ringe til om det?")."""

    def name(self) -> str:
        return "action_contact_person"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        return Answer(contact_reply(knowledge, tracker.get_slot(LAST_SECTION_SLOT)))


class ActionAcuteDanger(KnowledgeAction):
    """Call 112 now first; then Børnetelefonen and the municipal contact."""

    def name(self) -> str:
        return "action_acute_danger"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        return Answer(acute_danger_reply(knowledge))


class ActionSupportWorry(KnowledgeAction):
    """A parent worried without a topic: early help, its source and a person."""

    def name(self) -> str:
        return "action_support_worry"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        section_id = knowledge.general_worry_section_id
        return Answer(worry_reply(knowledge), [SlotSet(LAST_SECTION_SLOT, section_id)])
