"""The linear intent model: calibrated confidence and question focus, without Rasa."""

from __future__ import annotations

import numpy as np
import pytest

from bot.intent_model import Doc, IntentModel, Settings, questions, sentences

TRAINING = {
    "faq_tandpleje": ["hvornår skal mit barn til tandlæge", "gratis tandpleje for børn",
                      "børnetandplejen tider", "tandlæge til min søn", "tænder og tandlæge"],
    "faq_overgange": ["skift fra børnehave til skole", "overgang til skolen",
                      "når mit barn starter i skole", "skoleskift hjælp",
                      "fra vuggestue til børnehave"],
    "express_worry": ["jeg er så bekymret for min søn", "det går ikke godt derhjemme",
                      "jeg ved ikke hvad jeg skal gøre", "vi har det svært", "jeg er ked af det"],
    "greet": ["hej", "goddag", "hejsa", "god aften", "halløj"],
}


def _doc(text: str) -> Doc:
    return Doc(text, tuple(text.split()))


@pytest.fixture(scope="module")
def model() -> IntentModel:
    docs = [_doc(t) for texts in TRAINING.values() for t in texts]
    labels = [intent for intent, texts in TRAINING.items() for _ in texts]
    return IntentModel(Settings(calibration_folds=3)).fit(docs, labels)


def test_confidences_are_a_distribution_over_the_trained_intents(model):
    rows = model.probabilities([_doc("tandlæge"), _doc("hej med dig")])
    assert rows.shape == (2, len(TRAINING))
    assert np.allclose(rows.sum(axis=1), 1.0)
    assert model.classes[int(rows[0].argmax())] == "faq_tandpleje"
    assert model.classes[int(rows[1].argmax())] == "greet"


def test_a_misspelt_word_still_finds_its_intent_through_character_ngrams(model):
    row = model.probabilities([_doc("tandlaege for mit barn")])[0]
    assert model.classes[int(row.argmax())] == "faq_tandpleje"


def test_the_temperature_is_fitted_on_held_out_folds(model):
    assert model.temperature != 1.0 and 0.05 <= model.temperature <= 3.0


def test_sentences_and_questions_of_a_long_message():
    text = "Vi har det svært. Min søn er ked af det.\nHvornår skal han til tandlæge?"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Vi har det svært.", "Min søn er ked af det.", "Hvornår skal han til tandlæge?"]
    assert [text[s:e] for s, e in questions(text)] == ["Hvornår skal han til tandlæge?"]
    assert questions("Hvornår skal han til tandlæge?") == []  # one sentence: no focus
    last = "Vi har det svært. Fortæl om skoleskift"
    assert [last[s:e] for s, e in questions(last)] == ["Fortæl om skoleskift"]


def test_a_specific_question_wins_over_the_worry_around_it(model):
    text = ("Jeg er så bekymret for min søn, det går ikke godt derhjemme og vi har det "
            "svært. Hvornår skal han til tandlæge?")
    whole = model.probabilities([_doc(text)])[0]
    asked = model.probabilities([_doc(text[s:e]) for s, e in questions(text)])
    focused = model.focused(whole, asked)
    assert focused is not None
    assert model.classes[int(focused.argmax())] == "faq_tandpleje"


def test_focus_leaves_a_confident_topic_and_a_question_without_topic_alone(model):
    confident = model.probabilities([_doc("skift fra børnehave til skole")])[0]
    asked = model.probabilities([_doc("hvornår skal han til tandlæge")])
    assert confident.max() >= model.settings.focus_threshold
    assert model.focused(confident, asked) is None
    worry = model.probabilities([_doc("jeg er så bekymret, vi har det svært")])[0]
    no_topic = model.probabilities([_doc("hej goddag")])
    assert model.focused(worry, no_topic) is None


def test_ranking_is_sorted_and_cut(model):
    ranking = model.ranking(model.probabilities([_doc("tandlæge")])[0], 2)
    assert len(ranking) == 2 and ranking[0]["confidence"] >= ranking[1]["confidence"]


def _sklearn_scores(model: IntentModel, docs: list) -> np.ndarray:
    return model.classifier.decision_function(model._matrix(model.vectorizers, docs))


def test_the_fast_scorer_gives_scikit_learns_scores(model):
    docs = [_doc(t) for t in ("tandlæge", "Vi har det svært. Hvornår skal han til tandlæge?",
                              "xyzzy qwerty", "", "hej hej hej hej")]
    fast = model.scorer.scores(model._views(docs))
    assert np.allclose(fast, _sklearn_scores(model, docs), atol=1e-5)


def test_the_fast_scorer_with_two_intents():
    docs = [_doc(t) for t in TRAINING["greet"] + TRAINING["faq_tandpleje"]]
    labels = ["greet"] * 5 + ["faq_tandpleje"] * 5
    two = IntentModel(Settings(calibration_folds=2)).fit(docs, labels)
    rows = two.probabilities([_doc("hejsa"), _doc("tandlæge")])
    assert rows.shape == (2, 2) and np.allclose(rows.sum(axis=1), 1.0)
    sk = _sklearn_scores(two, [_doc("hejsa")])
    assert np.allclose(two.scorer.scores(two._views([_doc("hejsa")]))[:, 0], sk, atol=1e-5)
    assert two.classes[int(rows[0].argmax())] == "greet"
