"""The intent classifier trained, persisted and loaded as Rasa does, on real messages."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_classifier import FOCUS, MODEL_FILE, IntentClassifier

EXAMPLES = {
    "faq_tandpleje": ["hvornår skal mit barn til tandlæge", "gratis tandpleje for børn",
                      "børnetandplejen åbningstider", "tandlæge til min søn"],
    "express_worry": ["jeg er så bekymret for min søn", "det går ikke godt derhjemme",
                      "jeg ved ikke hvad jeg skal gøre", "vi har det svært for tiden"],
    "greet": ["hej", "goddag", "hejsa", "god aften"],
}


def _context() -> ExecutionContext:
    return ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


def _tokenised(messages):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(messages)
    return messages


@pytest.fixture
def loaded(tmp_path) -> IntentClassifier:
    storage, resource = LocalModelStorage(tmp_path), Resource("intent")
    training = _tokenised([Message({"text": t, "intent": i})
                           for i, texts in EXAMPLES.items() for t in texts])
    trained = IntentClassifier.create({}, storage, resource, _context())
    trained.train(TrainingData(training))
    with storage.read_from(resource) as directory:
        assert (directory / MODEL_FILE).exists()
    return IntentClassifier.load({}, storage, resource, _context())


def test_the_loaded_model_sets_intent_and_ranking_as_rasa_classifiers_do(loaded):
    message = _tokenised([Message({"text": "hvornår kan min datter komme til tandlæge"})])[0]
    loaded.process([message])
    output = message.as_dict(only_output_properties=True)
    assert output["intent"]["name"] == "faq_tandpleje"
    ranking = output["intent_ranking"]
    assert [r["name"] for r in ranking][0] == "faq_tandpleje" and len(ranking) == 3
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_a_long_story_is_answered_by_its_question_and_names_it(loaded):
    text = ("Jeg er så bekymret for min søn. Det går ikke godt derhjemme, og vi har det "
            "svært for tiden. Hvornår skal han til tandlæge?")
    message = _tokenised([Message({"text": text})])[0]
    loaded.process([message])
    assert message.get("intent")["name"] == "faq_tandpleje"
    assert message.get(FOCUS) == "Hvornår skal han til tandlæge?"


def test_a_missing_model_loads_as_untrained_and_leaves_messages_alone(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = IntentClassifier.load({}, storage, Resource("missing"), _context())
    message = _tokenised([Message({"text": "hej"})])[0]
    component.process([message])
    assert message.get("intent") is None
