"""First component of the NLU pipeline: keeps unusable input away from the models.

Rasa 3.6 tokenises and featurises whatever text arrives: a 20,000-character message
costs seconds and gigabytes, and markup or emoji alone give a confident nonsense
intent. The guard names the problem (see `bot.text.inspect_input`), keeps the text
the parent sent for the safety net, and hands the rest of the pipeline a short,
markup-free text. `SafetyNet` at the end of the pipeline turns the named problem
into the fallback intent, so the fallback action can answer it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import settings
from bot.text import INPUT_PROBLEM, inspect_input, strip_html

ORIGINAL_TEXT = "original_text"
# What the models still see of an over-long message: enough for nothing heavy.
TRUNCATED_CHARS = 200


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class InputGuard(GraphComponent):
    """Marks empty, symbol-only, English and over-long messages before NLU."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # None: take MAX_MESSAGE_CHARS from the environment (see bot.settings).
        return {"max_chars": None}

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        max_chars = config.get("max_chars") or settings.load().max_message_chars
        return cls(int(max_chars))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            message.set(ORIGINAL_TEXT, text)
            problem = inspect_input(text, self.max_chars)
            if problem:
                message.set(INPUT_PROBLEM, problem, add_to_output=True)
            if problem == "too_long":
                text = text[:TRUNCATED_CHARS]
            # Tokenisers need at least one token; "?" carries no meaning of its own.
            message.set(TEXT, strip_html(text).strip() or "?")
        return messages
