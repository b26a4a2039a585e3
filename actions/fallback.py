"""Out of scope, low confidence and unusable input: never a guessed answer."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker

from actions.base import Answer, KnowledgeAction
from actions.knowledge import (
    LAST_SECTION_SLOT,
    ActionAnswerFollowup,
    answer_section,
    card_followup,
)
from bot import settings
from bot.callback_replies import REQUEST_CALLBACK_BUTTON
from bot.knowledge import Knowledge
from bot.notify import delivery_targets
from bot.replies import (
    clarify_reply,
    close_call,
    contact_reply,
    input_problem_reply,
    out_of_scope_reply,
    see_also,
)
from bot.text import INPUT_PROBLEM, points_back

# config.yml's FallbackClassifier threshold: below it the classifier is not sure enough.
FALLBACK_THRESHOLD = 0.5
# Unsure only whether the parent calls or wants to be called: either way, a person.
PERSON_INTENTS = frozenset({"request_person", "request_callback"})
# An unsure short question that points back ("hvorfor er det vigtigt?"): the last answer.
FOLLOW_UP_MAX_WORDS = 8


def _ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [r for r in ranking if r.get("name") != "nlu_fallback"]


def _candidate_intents(tracker: Tracker) -> List[str]:
    return [r.get("name", "") for r in _ranking(tracker)]


class ActionOutOfScope(KnowledgeAction):
    """Says what the bot can help with and how to reach a person; cites no source."""

    def name(self) -> str:
        return "action_out_of_scope"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        return Answer(out_of_scope_reply(knowledge))


class ActionClarify(KnowledgeAction):
    """Answers the fallback intent: names an input problem or asks which topic."""

    def name(self) -> str:
        return "action_clarify"

    def answer(self, knowledge: Knowledge, tracker: Tracker) -> Answer:
        problem = tracker.latest_message.get(INPUT_PROBLEM)
        if problem:
            max_chars = settings.load().max_message_chars
            return Answer(input_problem_reply(problem, knowledge, max_chars))
        card = card_followup(knowledge, tracker, str(tracker.latest_message.get("text") or ""))
        if card is not None:
            return card
        candidates = _candidate_intents(tracker)
        if set(candidates[:2]) == PERSON_INTENTS:
            section_id = tracker.get_slot(LAST_SECTION_SLOT)
            replies = contact_reply(knowledge, section_id)
            contact = knowledge.contact_for_section(section_id)
            if delivery_targets(settings.load(), contact):
                replies.append({"text": "Vil du hellere ringes op?",
                                "buttons": [REQUEST_CALLBACK_BUTTON]})
            return Answer(replies)
        last = knowledge.sections.get(tracker.get_slot(LAST_SECTION_SLOT) or "")
        if last is not None and points_back(str(tracker.latest_message.get("text") or ""),
                                            FOLLOW_UP_MAX_WORDS):
            # "Hvorfor er det vigtigt?", "kan I sende den?" after an answer: a follow-up
            # on it (the same section, or how to have the policy sent), not a question.
            return ActionAnswerFollowup().answer(knowledge, tracker)
        # Two topics about as likely, the first likely enough: its answer, the other
        # a tap away, rather than a question before any answer.
        close = close_call(knowledge, _ranking(tracker), FALLBACK_THRESHOLD)
        if close is not None:
            answer = answer_section(close[0], knowledge, tracker)
            answer.replies.extend(see_also(close[1]))
            return answer
        return Answer(clarify_reply(knowledge, candidates))

