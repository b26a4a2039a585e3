"""Answer a policy question from its section, citing the source."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import (
    Answer,
    KnowledgeAction,
    latest_intent,
    writer,
    writer_events,
    young_writer,
)
from bot.knowledge import Knowledge, Section
from bot.replies import clarify_reply, english_section_answer, followup_reply, section_answer
from bot.safety_replies import young_section_answer
from bot.text import asks_if_it_applies_too

LAST_SECTION_SLOT = "last_section"
APPLIES_TOO_MAX_WORDS = 7


class ActionAnswerSection(KnowledgeAction):
    """The section answer for the `faq_*` intent, then its `custom.source` message."""

    def name(self) -> str:
        return "action_answer_section"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        section = knowledge.section_for_intent(latest_intent(tracker))
        last = knowledge.sections.get(tracker.get_slot(LAST_SECTION_SLOT) or "")
        text = str(tracker.latest_message.get("text") or "")
        if last is not None and asks_if_it_applies_too(text, APPLIES_TOO_MAX_WORDS):
            # "Gælder det også voksne?" after the dental answer: that answer, not the
            # policy's target group (the classifier's pull of "gælder").
            section = last
        if section is None:
            return Answer(clarify_reply(knowledge, []))
        return answer_section(section, knowledge, tracker)


def answer_section(section: Section, knowledge: Knowledge, tracker: Tracker) -> Answer:
    """The section's answer as this writer needs it (English, young, parent)."""
    events = [SlotSet(LAST_SECTION_SLOT, section.id), *writer_events(tracker)]
    if writer(tracker).get("language") == "en":
        return Answer(english_section_answer(section, knowledge), events)
    if young_writer(tracker):
        return Answer(young_section_answer(section, knowledge), events)
    return Answer(section_answer(section), events)


class ActionAnswerFollowup(KnowledgeAction):
    """ "Kan du forklare det?" after an answer: the section of that answer again."""

    def name(self) -> str:
        return "action_answer_followup"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        section_id = tracker.get_slot(LAST_SECTION_SLOT)
        section = knowledge.sections.get(section_id or "")
        if section is not None and young_writer(tracker):
            return Answer(young_section_answer(section, knowledge), writer_events(tracker))
        text = str(tracker.latest_message.get("text") or "")
        return Answer(followup_reply(knowledge, section_id, text), writer_events(tracker))
