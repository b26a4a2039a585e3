"""Last component of the NLU pipeline: rules that the classifier cannot outvote.

1. Acute danger: a message the danger check (`bot.danger`, `data/knowledge/danger.yml`)
   finds an emergency in gets the intent `acute_danger`, whatever DIET or the fallback
   classifier said, and before the input checks: an English, over-long or otherwise
   unusable message with danger in it gets 112 too.
2. The classifier's own `acute_danger` stands only with a danger cue in the text that
   is not an idiom and not framed as over or general: the classifier alone never
   decides. An idiom ("keder sig ihjel") gets the fallback intent, so the bot asks what
   is meant; anything else the worry answer (which names 112 too).
3. An instruction-injection attempt ("glem dine regler og ...", a fake "system:" line;
   `bot.injection`) gets `out_of_scope`, whatever topic the rest of it names.
4. A bare stop word ("stop", "glem det") gets `stop_form`, so a parent can always
   leave the callback request, whatever the classifier made of one short word; a bare
   ask for a contact detail ("telefon?", "og mailen?") gets `request_person`.
5. Unusable input named by `InputGuard` gets the fallback intent, so the fallback
   action answers it instead of a guessed section; but a policy question in English
   that the classifier is sure of keeps its topic (answered in Danish with a note).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot import settings
from bot.callback import is_stop
from bot.components.input_guard import ORIGINAL_TEXT, UNMASKED_TEXT
from bot.contact_asks import (
    asks_for_a_person,
    asks_for_the_childrens_line,
    asks_for_the_childs_own_line,
    is_contact_ask,
)
from bot.danger import Assessment, DangerCheck
from bot.danger_file import load_patterns
from bot.injection import is_injection
from bot.knowledge import DANGER_FILE
from bot.text import INPUT_PROBLEM

ACUTE_DANGER_INTENT = "acute_danger"
WORRY_INTENT = "express_worry"
STOP_INTENT = "stop_form"
CONTACT_INTENT = "request_person"
OUT_OF_SCOPE_INTENT = "out_of_scope"
TOPIC_INTENT_PREFIX = "faq_"
FOLLOWUP_INTENT = "ask_followup"
# Besides a topic: a person asked for is a person when the classifier was unsure or read
# a follow-up ("hvordan kommer jeg i kontakt med nogen om politikken?").
PERSON_OVER = frozenset({DEFAULT_NLU_FALLBACK_INTENT_NAME, FOLLOWUP_INTENT})
ENGLISH_PROBLEM = "english"
SAFETY_NET = "safety_net"
# Who wrote the message, for the actions: {"young": bool, "language": "da"|"en"|"other"}.
WRITER = "writer"
CLASSIFIER = "classifier"  # the danger category when the classifier and a cue agree


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyNet(GraphComponent):
    """Overrides the predicted intent for acute danger and unusable input."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # None: data/knowledge/danger.yml under KNOWLEDGE_DIR (see bot.settings).
        return {"patterns_file": None}

    def __init__(self, patterns: DangerCheck) -> None:
        self.patterns = patterns

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        path = config.get("patterns_file") or str(
            Path(settings.load().knowledge_dir) / DANGER_FILE
        )
        return cls(load_patterns(Path(path)))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(ORIGINAL_TEXT) or message.get(TEXT) or ""
            found = self.patterns.assess(text)
            message.set(WRITER, {"young": found.young, "language": found.language},
                        add_to_output=True)
            category = found.category or self._classifier_danger(message, text, found)
            idiom = None
            if not category and self._predicted(message) == ACUTE_DANGER_INTENT:
                idiom = self.patterns.benign_idiom(text)
            if category:
                by = found.source or CLASSIFIER  # "pattern", "model" or the classifier
                message.set(SAFETY_NET, {"danger": category, "by": by}, add_to_output=True)
                self._override(message, ACUTE_DANGER_INTENT)
            elif idiom:
                message.set(SAFETY_NET, {"benign_idiom": idiom}, add_to_output=True)
                self._override(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            elif is_injection(text):
                message.set(SAFETY_NET, {"injection": True}, add_to_output=True)
                self._override(message, OUT_OF_SCOPE_INTENT)
            elif is_stop(text):
                self._override(message, STOP_INTENT)
            elif is_contact_ask(text) and not message.get(INPUT_PROBLEM):
                self._override(message, CONTACT_INTENT)
            elif asks_for_a_person(text) and self._topic_or_unsure(message):
                # Who to contact about a topic is a person, not the topic's text.
                self._override(message, CONTACT_INTENT)
            elif asks_for_the_childs_own_line(text) or asks_for_the_childrens_line(text):
                # "Hvor kan hun selv ringe?", "nogen at tale med anonymt": Børnetelefonen
                # (action_contact_person).
                self._override(message, CONTACT_INTENT)
            elif message.get(INPUT_PROBLEM) and not self._answerable_english(message):
                self._override(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            elif self._predicted(message) == ACUTE_DANGER_INTENT:
                # The classifier alone never sends a parent to 112.
                message.set(SAFETY_NET, {"unconfirmed": ACUTE_DANGER_INTENT},
                            add_to_output=True)
                self._override(message, WORRY_INTENT)
            if message.get(UNMASKED_TEXT):
                # The models are done: the actions get the text with its numbers again.
                message.set(TEXT, message.get(UNMASKED_TEXT))
        return messages

    def _classifier_danger(self, message: Message, text: str,
                           found: Assessment) -> Optional[str]:
        """CLASSIFIER when the classifier said danger and a cue in the text agrees."""
        if self._predicted(message) != ACUTE_DANGER_INTENT or found.defused_by:
            return None
        if message.get(INPUT_PROBLEM) or not self.patterns.cue(text):
            return None
        return CLASSIFIER

    @staticmethod
    def _answerable_english(message: Message) -> bool:
        """A policy question in English the classifier is sure of (the fallback
        classifier has already taken the unsure ones): answered in Danish with a note."""
        predicted = SafetyNet._predicted(message) or ""
        return (message.get(INPUT_PROBLEM) == ENGLISH_PROBLEM
                and predicted.startswith(TOPIC_INTENT_PREFIX))

    @classmethod
    def _topic_or_unsure(cls, message: Message) -> bool:
        predicted = cls._predicted(message) or ""
        return predicted.startswith(TOPIC_INTENT_PREFIX) or predicted in PERSON_OVER

    @staticmethod
    def _predicted(message: Message) -> Optional[str]:
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)

    @staticmethod
    def _override(message: Message, intent_name: str) -> None:
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking: Optional[List[Dict[str, Any]]] = message.get(INTENT_RANKING_KEY)
        others = [r for r in ranking or [] if r.get(INTENT_NAME_KEY) != intent_name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + others, add_to_output=True)
