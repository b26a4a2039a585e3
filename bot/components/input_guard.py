"""First component of the NLU pipeline: keeps unusable input away from the models.

Rasa 3.6 tokenises and featurises whatever text arrives: a 20,000-character message
costs seconds and gigabytes, and markup, emoji or keyboard mashing get a confident
nonsense intent ("qqq" looks like a greeting to DIET). The guard leaves CPR numbers,
phone numbers and e-mails out of what the models see, names the problem
(see `bot.text.inspect_input`), keeps the text the parent sent for the safety net,
and hands the rest of the pipeline a short, markup-free text. `SafetyNet` at the end
of the pipeline turns the named problem into the fallback intent, so the fallback
action can answer it.

Trained: it remembers the words of the training data, so a message with not one
known word ("xkcd lorem ipsum") is named "unknown_words" instead of guessed at.
"""

from __future__ import annotations

import json
from typing import Any, Dict, FrozenSet, Iterable, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import settings
from bot.normalise import printable
from bot.privacy import without_personal_data
from bot.text import INPUT_PROBLEM, inspect_input, known_words_ratio, strip_html, vocabulary

ORIGINAL_TEXT = "original_text"
# The text as the rest of the pipeline would see it but for the personal data left out;
# `SafetyNet`, last in the pipeline, puts it back as the message text, so that the
# actions (which read the parse data's text) get the phone number the form asked for.
UNMASKED_TEXT = "unmasked_text"
# What the models still see of an over-long message: enough for nothing heavy.
TRUNCATED_CHARS = 200
VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True
)
class InputGuard(GraphComponent):
    """Marks empty, symbol-only, unknown, English and over-long messages before NLU."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # max_chars None: take MAX_MESSAGE_CHARS from the environment (bot.settings).
        return {"max_chars": None}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        known_words: Iterable[str] = (),
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.max_chars = int(config.get("max_chars") or settings.load().max_message_chars)
        self.known_words: FrozenSet[str] = frozenset(known_words)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) or "" for m in training_data.training_examples]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(vocabulary(texts)), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> InputGuard:
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, words)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # The models learn from examples as they will see messages: without numbers
        # and addresses (examples with entity annotations keep their offsets).
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if text and not example.get("entities"):
                example.set(TEXT, without_personal_data(text) or "?")
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            # Unpaired surrogates and NUL would make spaCy raise: never lose a message.
            text = printable(message.get(TEXT) or "")
            message.set(ORIGINAL_TEXT, text)
            problem = inspect_input(text, self.max_chars)
            if problem is None and known_words_ratio(text, self.known_words) == 0.0:
                problem = "unknown_words"
            if problem:
                message.set(INPUT_PROBLEM, problem, add_to_output=True)
            if problem == "too_long":
                text = text[:TRUNCATED_CHARS]
            # The models see no CPR numbers, phone numbers or e-mails (the actions and
            # the safety net still have the text as sent). Tokenisers need at least one
            # token; "?" carries no meaning of its own.
            shown = strip_html(text)
            message.set(UNMASKED_TEXT, shown.strip() or "?")
            message.set(TEXT, without_personal_data(shown) or "?")
        return messages
