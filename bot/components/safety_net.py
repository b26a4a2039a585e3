"""Last component of the NLU pipeline: rules that the classifier cannot outvote.

1. Acute danger: a message matching a pattern in `data/knowledge/danger.yml` gets
   the intent `acute_danger`, whatever DIET or the fallback classifier said, so the
   112 reply never depends on the classifier alone.
2. A classifier that guessed acute danger from an everyday idiom ("keder sig ihjel")
   without any danger pattern: the fallback intent, so the bot asks what is meant.
3. A bare stop word ("stop", "glem det") gets `stop_form`, so a parent can always
   leave the callback request, whatever the classifier made of one short word.
4. Unusable input named by `InputGuard` gets the fallback intent, so the fallback
   action answers it instead of a guessed section.
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
from bot.danger import DangerPatterns, load_patterns
from bot.knowledge import DANGER_FILE
from bot.text import INPUT_PROBLEM

ACUTE_DANGER_INTENT = "acute_danger"
STOP_INTENT = "stop_form"
SAFETY_NET = "safety_net"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyNet(GraphComponent):
    """Overrides the predicted intent for acute danger and unusable input."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # None: data/knowledge/danger.yml under KNOWLEDGE_DIR (see bot.settings).
        return {"patterns_file": None}

    def __init__(self, patterns: DangerPatterns) -> None:
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
            category = self.patterns.match(text)
            idiom = None
            if not category and self._predicted(message) == ACUTE_DANGER_INTENT:
                idiom = self.patterns.benign_idiom(text)
            if category:
                message.set(SAFETY_NET, {"danger": category}, add_to_output=True)
                self._override(message, ACUTE_DANGER_INTENT)
            elif idiom:
                message.set(SAFETY_NET, {"benign_idiom": idiom}, add_to_output=True)
                self._override(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            elif is_stop(text):
                self._override(message, STOP_INTENT)
            elif message.get(INPUT_PROBLEM):
                self._override(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            if message.get(UNMASKED_TEXT):
                # The models are done: the actions get the text with its numbers again.
                message.set(TEXT, message.get(UNMASKED_TEXT))
        return messages

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
