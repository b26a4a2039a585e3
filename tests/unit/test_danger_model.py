"""The danger classifier: a second reader that needs a cue and never outvotes a pattern."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.danger_file import load_patterns
from bot.danger_model import DangerExamplesError, DangerModel
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def check():
    return load_patterns(KNOWLEDGE_DIR / "danger.yml")


def test_the_check_loads_its_classifier_from_danger_yml(check):
    assert check.model is not None and 0 < check.model.threshold < 1


def test_the_classifier_alone_never_decides_without_a_cue(check):
    # The model may lean towards danger on a message without any danger word: no vote.
    always = replace(check, model=check.model.with_threshold(0.01))
    assert always.assess("hvornår har borgerservice åbent").category is None
    assert always.assess("hvad er tidlig indsats").category is None


def test_the_classifier_finds_danger_the_patterns_miss(check):
    without = replace(check, model=None)
    for text, category in [
            ("han har slugt noget fra køkkenskabet og er bange og bleg", "poisoning"),
            ("min datter er helt grå og vågner næsten ikke, hun er bange", "unconscious")]:
        assert without.assess(text).category is None
        found = check.assess(text)
        assert (found.category, found.source) == (category, "model")


def test_a_pattern_is_never_outvoted(check):
    never = replace(check, model=check.model.with_threshold(0.99))
    found = never.assess("min far slår mig")
    assert found.category == "violence" and found.source == "pattern"


def test_framed_as_over_gets_no_vote(check):
    always = replace(check, model=check.model.with_threshold(0.01))
    assert always.assess("han blev slået for fem år siden, hvilken hjælp findes").category is None


def test_bad_examples_are_refused():
    with pytest.raises(DangerExamplesError):
        DangerModel.train([("han slår", "violence")], 0.5)
    with pytest.raises(DangerExamplesError):
        DangerModel.train([("han slår", "violence"), ("hej", "none")], 1.5)


def test_a_sign_of_the_voted_category_backs_the_vote(check):
    # "ryster" and "stirrer" are no general danger word, but they are signs of
    # a seizure: without the signs the model's seizure vote does not count.
    text = "min lillebror ryster over det hele og stirrer ud i luften"
    assert replace(check, model=None).assess(text).category is None
    assert replace(check, signs={}).assess(text).category is None
    found = check.assess(text)
    assert (found.category, found.source) == ("seizure", "model")


def test_a_sign_of_another_category_does_not_back_the_vote(check):
    # The same message with the seizure signs taken away and another category's kept.
    text = "min lillebror ryster over det hele og stirrer ud i luften"
    others = {c: p for c, p in check.signs.items() if c != "seizure"}
    assert replace(check, signs=others).assess(text).category is None


def test_signs_for_an_unknown_category_are_refused(tmp_path):
    from bot.danger_file import DangerPatternError
    source = (KNOWLEDGE_DIR / "danger.yml").read_text(encoding="utf-8")
    broken = tmp_path / "danger.yml"
    broken.write_text(source.replace("signs:\n  violence:", "signs:\n  vold:"),
                      encoding="utf-8")
    with pytest.raises(DangerPatternError, match="signs"):
        load_patterns(broken)


EXAMPLES = "examples:\n" + "".join(
    f"- text: {text}\n  category: {category}\n" for text, category in [
        ("han slår mig", "violence"), ("far slår ham nu", "violence"),
        ("hun har taget alle pillerne", "poisoning"), ("han slugte mange piller", "poisoning"),
        ("hvornår har I åbent", "none"), ("hvad er tidlig indsats", "none")])


def test_the_trained_model_is_kept_and_read_back(tmp_path, monkeypatch):
    from bot.text import fold
    examples = tmp_path / "danger_examples_test.yml"
    examples.write_text(EXAMPLES, encoding="utf-8")
    cache = tmp_path / "cache"
    first = DangerModel.cached([examples], 0.5, fold, cache)
    kept = list(cache.glob("*.joblib"))
    assert len(kept) == 1
    # A second start reads the file and trains nothing.
    monkeypatch.setattr(DangerModel, "train", classmethod(lambda *a: pytest.fail("trained")))
    second = DangerModel.cached([examples], 0.5, fold, cache)
    assert second.vote(fold("far slår ham nu")) == first.vote(fold("far slår ham nu"))
    monkeypatch.undo()
    # A changed example file trains anew, under another name, and the old file goes.
    examples.write_text(EXAMPLES + "- text: han er bevidstløs\n  category: unconscious\n",
                        encoding="utf-8")
    DangerModel.cached([examples], 0.5, fold, cache)
    assert [p.name for p in cache.glob("*.joblib")] != [kept[0].name]
    assert len(list(cache.glob("*.joblib"))) == 1


def test_a_broken_kept_model_is_trained_anew(tmp_path):
    from bot.danger_model import examples_key
    from bot.text import fold
    examples = tmp_path / "danger_examples_test.yml"
    examples.write_text(EXAMPLES, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{examples_key([examples])}.joblib").write_bytes(b"not a model")
    model = DangerModel.cached([examples], 0.5, fold, cache)
    assert model.vote(fold("hun har taget alle pillerne")) is not None


def test_a_vote_is_scikit_learns_probability(check):
    from bot.danger_model import NONE
    from bot.text import fold
    model = check.model.with_threshold(0.001)
    none = model._classes.index(NONE)
    for text in ("han trækker ikke vejret", "vi skal på ferie", "hun har taget pillerne",
                 "min far slår mig", "xyz"):
        vote = model.vote(fold(text))
        expected = 1.0 - float(model._pipeline.predict_proba([fold(text)])[0][none])
        assert vote is not None and vote.confidence == pytest.approx(expected, abs=1e-3)
