"""The intent classifier of the pipeline: `bot.intent_model` inside Rasa's graph.

Reads the lemmas the tokenizer set (spaCy's Danish lookup lemmatizer), so it needs no
featurizer before it; trains in seconds where DIET took minutes, and sets `intent`
and `intent_ranking` as every Rasa classifier does, so `FallbackClassifier`,
`rasa test` and `rasa shell` work unchanged. A long message is also read question by
question (see `bot.intent_model.IntentModel.focused`); the parse data then names the
question that decided in `focus`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier as RasaIntentClassifier
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_model import Doc, IntentModel, Settings, questions

logger = logging.getLogger(__name__)
MODEL_FILE = "intent_model.skops"
FOCUS = "focus"  # parse data: the question that decided, when not the whole message


class Evidence:
    """Passage retrieval over the policy texts, as (intent, score) pairs per text."""

    def __init__(self) -> None:
        from bot import settings
        from bot.knowledge import load_knowledge
        from bot.retrieval import build_index

        knowledge = load_knowledge()
        self.index = build_index(knowledge, Path(settings.load().knowledge_dir))
        self.intents = {s.id: s.intent for s in knowledge.sections.values()}

    def __call__(self, text: str) -> Tuple[Tuple[str, float], ...]:
        return tuple((self.intents[sid], score)
                     for sid, score in self.index.scores(text).items() if score > 0)


def _doc(message: Message, evidence: Optional[Evidence], start: int = 0,
         end: Optional[int] = None) -> Doc:
    text = message.get(TEXT) or ""
    end = len(text) if end is None else end
    tokens = [t for t in message.get(TEXT_TOKENS) or [] if t.start >= start and t.end <= end]
    part = text[start:end]
    return Doc(part, tuple(t.lemma or t.text for t in tokens),
               evidence(part) if evidence else ())


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class IntentClassifier(RasaIntentClassifier, GraphComponent):
    """Linear intent classifier with calibrated confidence and question focus."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = Settings()
        return {
            "C": defaults.c,
            "char_ngrams": list(defaults.char_ngrams),
            "word_ngrams": list(defaults.word_ngrams),
            "calibration_folds": defaults.calibration_folds,
            "random_seed": defaults.random_seed,
            "general_intents": list(defaults.general_intents),
            "focus_threshold": defaults.focus_threshold,
            "ranking_length": 10,
            # Passage retrieval over the policy texts as a second signal (bot.retrieval).
            "retrieval": True,
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, model: Optional[IntentModel] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model or IntentModel(self._settings())
        self.evidence: Optional[Evidence] = None

    def _start_retrieval(self) -> None:
        if self.config["retrieval"] and self.evidence is None:
            self.evidence = Evidence()

    def _settings(self) -> Settings:
        c = self.config
        return Settings(c=float(c["C"]), char_ngrams=tuple(c["char_ngrams"]),
                        word_ngrams=tuple(c["word_ngrams"]),
                        calibration_folds=int(c["calibration_folds"]),
                        random_seed=int(c["random_seed"]),
                        general_intents=tuple(c["general_intents"]),
                        focus_threshold=float(c["focus_threshold"]))

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> IntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("IntentClassifier: fewer than two intents to learn; not trained.")
            return self._resource
        self._start_retrieval()
        self.model.fit([_doc(e, self.evidence) for e in examples],
                       [e.get(INTENT) for e in examples])
        logger.info("IntentClassifier: %d examples, %d intents, temperature %.2f, "
                    "retrieval weight %.2f.", len(examples), len(self.model.classes),
                    self.model.temperature, self.model.weight)
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model.classifier is None:
            return messages
        length = int(self.config["ranking_length"])
        for message in messages:
            text = message.get(TEXT) or ""
            asked = questions(text)
            # One pass for the whole message and its questions: one feature transform.
            rows = self.model.probabilities(
                [_doc(message, self.evidence)]
                + [_doc(message, self.evidence, s, e) for s, e in asked])
            row = rows[0]
            focused = self.model.focused(row, rows[1:])
            if focused is not None:
                row = focused
                start, end = asked[int(rows[1:].max(axis=1).argmax())]
                message.set(FOCUS, text[start:end], add_to_output=True)
            ranking = self.model.ranking(row, length)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump({"vectorizers": self.model.vectorizers,
                      "classifier": self.model.classifier,
                      "temperature": self.model.temperature,
                      "weight": self.model.weight}, directory / MODEL_FILE)

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> IntentClassifier:
        import skops.io as sio

        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = sio.get_untrusted_types(file=path)
                foreign = [t for t in untrusted
                           if not t.startswith(("sklearn.", "numpy.", "scipy."))]
                if foreign:
                    raise ValueError(f"unexpected types in {path.name}: {foreign}")
                stored = sio.load(path, trusted=untrusted)
        except ValueError as error:
            logger.warning("IntentClassifier: no trained model loaded (%s).", error)
            return component
        component.model.vectorizers = stored["vectorizers"]
        component.model.classifier = stored["classifier"]
        component.model.temperature = float(stored["temperature"])
        component.model.weight = float(stored.get("weight", 0.0))
        component.model.compile()
        if component.model.weight:
            component._start_retrieval()
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
