"""Hand the parent to a person: the routed contact, or 112 in acute danger."""

from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.base import (
    LAST_CONTACT_SLOT,
    Answer,
    KnowledgeAction,
    writer,
    writer_events,
    young_writer,
)
from actions.callback import reset_form
from actions.knowledge import LAST_SECTION_SLOT, ActionAnswerFollowup, follows_an_answer
from bot import settings
from bot.callback_replies import REQUEST_CALLBACK_BUTTON, availability_sentence
from bot.contact_asks import (
    about_the_last_card,
    asks_for_a_person,
    asks_for_the_childrens_line,
    asks_for_the_childs_own_line,
    is_contact_ask,
    wants_the_municipality,
)
from bot.knowledge import CHILDREN_CONTACT_ID, Knowledge
from bot.notify import delivery_targets
from bot.replies import contact_reply, worry_reply
from bot.safety_replies import (
    acute_danger_reply,
    children_line,
    young_contact_reply,
    young_worry_reply,
)
from bot.text import fold

CHILDREN_LINE_WORD = "bornetelefon"  # "Børnetelefonen" folded, in any inflection


class ActionContactPerson(KnowledgeAction):
    """The contact for the topic in context ("hvem kan jeg ringe til om det?")."""

    def name(self) -> str:
        return "action_contact_person"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        raw = str(tracker.latest_message.get("text") or "")
        text = fold(raw)
        after_childrens_line = (tracker.get_slot(LAST_CONTACT_SLOT) == CHILDREN_CONTACT_ID
                                and about_the_last_card(raw))
        if (follows_an_answer(tracker, raw) and not after_childrens_line
                and not asks_for_a_person(raw) and not is_contact_ask(raw)):
            return ActionAnswerFollowup().answer(knowledge, tracker)
        young = young_writer(tracker)
        if young and wants_the_municipality(raw) and not asks_for_the_childrens_line(raw):
            # A young person about their own case or a complaint: the municipal
            # contact, and Børnetelefonen beside it.
            municipal = contact_reply(knowledge, tracker.get_slot(LAST_SECTION_SLOT))
            return Answer(municipal + children_line(knowledge), writer_events(tracker))
        if (young or CHILDREN_LINE_WORD in text or after_childrens_line
                or asks_for_the_childs_own_line(raw) or asks_for_the_childrens_line(raw)):
            # A child asking who to talk to, anyone asking for Børnetelefonen by name or
            # for someone to talk to anonymously, a bare "og nummeret?" after its card,
            # or a parent asking where the child can call themselves: Børnetelefonen.
            language = str(writer(tracker).get("language") or "da")
            return Answer(young_contact_reply(knowledge, language), writer_events(tracker))
        section_id = tracker.get_slot(LAST_SECTION_SLOT)
        replies = contact_reply(knowledge, section_id)
        contact = knowledge.contact_for_section(section_id)
        callbacks = bool(delivery_targets(settings.load(), contact))
        hours = availability_sentence(contact, datetime.now(timezone.utc), callbacks)
        if hours:
            replies.append({"text": hours})
        if callbacks and tracker.active_loop.get("name") != "callback_form":
            replies.append({"text": "Du kan også bede om at blive ringet op.",
                            "buttons": [REQUEST_CALLBACK_BUTTON]})
        return Answer(replies)


class ActionAcuteDanger(KnowledgeAction):
    """ "Ring 112 nu." first; then, for a child, "not your fault" and Børnetelefonen;
    for a parent, Børnetelefonen and the municipal contact (`acute_danger_reply`).

    An open callback request is closed without storing anything: no more questions.
    """

    def name(self) -> str:
        return "action_acute_danger"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        events = writer_events(tracker)
        if tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form()]
        language = str(writer(tracker).get("language") or "da")
        return Answer(acute_danger_reply(knowledge, young_writer(tracker), language), events)


class ActionSupportWorry(KnowledgeAction):
    """A parent worried without a topic: empathy, a person and topics to choose from."""

    def name(self) -> str:
        return "action_support_worry"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        if young_writer(tracker):
            return Answer(young_worry_reply(knowledge), writer_events(tracker))
        in_form = bool(tracker.active_loop.get("name"))
        return Answer(worry_reply(knowledge, offer_callback=not in_form), [])
