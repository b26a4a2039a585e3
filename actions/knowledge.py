"""Answer a policy question from its section, citing the source."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import (
    Answer,
    KnowledgeAction,
    intent_confidence,
    latest_intent,
    previous_action,
    writer,
    writer_events,
    young_writer,
)
from bot.contact_asks import about_the_last_card
from bot.knowledge import Knowledge, Section
from bot.replies import clarify_reply, english_section_answer, followup_reply, section_answer
from bot.safety_replies import young_section_answer
from bot.text import asks_if_it_applies_too, points_back

LAST_SECTION_SLOT = "last_section"
APPLIES_TOO_MAX_WORDS = 7
# "Hvornår starter den?", "hvorfor gør I det?" after an answer: a short question that
# points back is about that answer unless the classifier is this sure of another topic.
FOLLOW_UP_MAX_WORDS = 8
FOLLOW_UP_UNLESS_CONFIDENCE = 0.85
ANSWER_ACTIONS = ("action_answer_section", "action_answer_followup")
CONTACT_ACTION = "action_contact_person"


class ActionAnswerSection(KnowledgeAction):
    """The section answer for the `faq_*` intent, then its `custom.source` message."""

    def name(self) -> str:
        return "action_answer_section"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        section = knowledge.section_for_intent(latest_intent(tracker))
        last = knowledge.sections.get(tracker.get_slot(LAST_SECTION_SLOT) or "")
        text = str(tracker.latest_message.get("text") or "")
        card = card_followup(knowledge, tracker, text)
        if card is not None:
            return card
        if last is not None and asks_if_it_applies_too(text, APPLIES_TOO_MAX_WORDS):
            # "Gælder det også voksne?" after the dental answer: that answer, not the
            # policy's target group (the classifier's pull of "gælder").
            section = last
        elif (last is not None and (section is None or section.id != last.id)
              and follows_an_answer(tracker, text)):
            return ActionAnswerFollowup().answer(knowledge, tracker)
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


def follows_an_answer(tracker: Tracker, text: str) -> bool:
    """ "Hvem var med til at lave den?" right after an answer, read by the classifier as a
    person or a topic it is not sure of: a follow-up on that answer."""
    return (tracker.get_slot(LAST_SECTION_SLOT) is not None
            and previous_action(tracker) in ANSWER_ACTIONS
            and points_back(text, FOLLOW_UP_MAX_WORDS)
            and intent_confidence(tracker) < FOLLOW_UP_UNLESS_CONFIDENCE)


def card_followup(knowledge: Knowledge, tracker: Tracker, text: str) -> Optional[Answer]:
    """ "Er det gratis?" right after a contact card, read by the classifier as a topic it
    is not sure of, a follow-up or nothing: that card again (action_contact_person)."""
    if (previous_action(tracker) != CONTACT_ACTION
            or not about_the_last_card(text)
            or intent_confidence(tracker) >= FOLLOW_UP_UNLESS_CONFIDENCE):
        return None
    from actions.contacts import ActionContactPerson  # it imports this module

    return ActionContactPerson().answer(knowledge, tracker)


class ActionAnswerFollowup(KnowledgeAction):
    """ "Kan du forklare det?" after an answer: the section of that answer again."""

    def name(self) -> str:
        return "action_answer_followup"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        text = str(tracker.latest_message.get("text") or "")
        card = card_followup(knowledge, tracker, text)
        if card is not None:
            return card
        section_id = tracker.get_slot(LAST_SECTION_SLOT)
        section = knowledge.sections.get(section_id or "")
        if section is not None and young_writer(tracker):
            return Answer(young_section_answer(section, knowledge), writer_events(tracker))
        return Answer(followup_reply(knowledge, section_id, text), writer_events(tracker))
