"""Out of scope, low confidence and unusable input: never a guessed answer."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker

from actions.base import Answer, KnowledgeAction
from bot import settings
from bot.knowledge import Knowledge
from bot.replies import clarify_reply, input_problem_reply, out_of_scope_reply
from bot.text import INPUT_PROBLEM


def _candidate_intents(tracker: Tracker) -> List[str]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [r.get("name", "") for r in ranking if r.get("name") != "nlu_fallback"]


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
        return Answer(clarify_reply(knowledge, _candidate_intents(tracker)))
