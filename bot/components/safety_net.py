"""Last component of the NLU pipeline: rules that the classifier cannot outvote.

1. Acute danger: a message matching a pattern in `data/knowledge/danger.yml` gets
   the intent `acute_danger`, whatever DIET or the fallback classifier said, so the
   112 reply never depends on the classifier alone.
2. Unusable input named by `InputGuard` gets the fallback intent, so the fallback
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
from bot.components.input_guard import ORIGINAL_TEXT
from bot.danger import DangerPatterns, load_patterns
from bot.knowledge import DANGER_FILE
from bot.text import INPUT_PROBLEM

ACUTE_DANGER_INTENT = "acute_danger"
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
            if category:
                message.set(SAFETY_NET, {"danger": category}, add_to_output=True)
                self._override(message, ACUTE_DANGER_INTENT)
            elif message.get(INPUT_PROBLEM):
                self._override(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
        return messages

    @staticmethod
    def _override(message: Message, intent_name: str) -> None:
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking: Optional[List[Dict[str, Any]]] = message.get(INTENT_RANKING_KEY)
        others = [r for r in ranking or [] if r.get(INTENT_NAME_KEY) != intent_name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + others, add_to_output=True)
