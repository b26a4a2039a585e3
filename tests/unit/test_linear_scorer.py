"""The fast scorer gives the numbers scikit-learn gives, for the estimators we use."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.linear_scorer import Scorer

TEXTS = ["min søn slår", "hun har det godt", "tandlæge i morgen", "far slår mor",
         "godt nytår", "tandpleje for børn", "han slår sig selv", "vi har det godt"]
LABELS = ["a", "b", "c", "a", "b", "c", "a", "b"]
PROBES = ["slår", "tandlæge", "ukendt ord", "", "godt godt godt slår", "SLÅR Tandlæge"]


def _fitted(labels, **options):
    views = [TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                             **options),
             TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)]
    from scipy.sparse import hstack
    matrix = hstack([v.fit_transform(TEXTS) for v in views]).tocsr()
    return views, LogisticRegression(C=10.0, max_iter=1000).fit(matrix, labels)


def _sklearn(views, classifier, texts):
    from scipy.sparse import hstack
    return classifier.decision_function(hstack([v.transform(texts) for v in views]).tocsr())


@pytest.mark.parametrize("options", [{}, {"min_df": 2}, {"lowercase": False}])
def test_scores_match_scikit_learn_for_several_classes(options):
    views, classifier = _fitted(LABELS, **options)
    fast = Scorer(views, classifier).scores([PROBES, PROBES])
    assert np.allclose(fast, _sklearn(views, classifier, PROBES), atol=1e-6)


def test_two_classes_give_scikit_learns_single_column():
    labels = ["a" if label == "a" else "b" for label in LABELS]
    views, classifier = _fitted(labels)
    fast = Scorer(views, classifier).scores([PROBES, PROBES])
    assert fast.shape == (len(PROBES), 1)
    assert np.allclose(fast[:, 0], _sklearn(views, classifier, PROBES), atol=1e-6)


def test_a_vectorizer_it_cannot_read_is_refused():
    views, classifier = _fitted(LABELS)
    views[0].sublinear_tf = False
    with pytest.raises(ValueError):
        Scorer(views, classifier)
