"""A linear intent model that trains in seconds: the classifier behind the NLU pipeline.

Two sparse views of a message, each TF-IDF weighted with sublinear counts:
character n-grams (2 to 5, inside word boundaries) of the folded text, which carry
inflection, compounds written apart and misspellings ("sunhedsplejerske",
"special skole"), and word lemmas with their bigrams, which carry the words.
A multinomial logistic regression reads both. Its scores are turned into confidences
with one temperature fitted on out-of-fold predictions of the training data, so a
confidence of 0.6 means about six right in ten: the fallback threshold then means
what it says (docs/nlu-comparison.md has the comparison with DIET).

Retrieval evidence: each doc may carry per-intent scores from passage retrieval over
the policy texts (`bot.retrieval`); they are added to the classifier's scores with one
weight fitted, like the temperature, on out-of-fold predictions.

Question focus: a long message that tells the family's story first and asks last is
read twice, whole and sentence by sentence. When the whole reads as general worry
(or is unsure) and one of its questions names a topic with confidence, the question
wins: the parent gets the answer to what they asked, not the general worry answer.

Pure scikit-learn: no Rasa here (`bot.components.intent_classifier` wraps it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.special import softmax

from bot.linear_scorer import Scorer
from bot.text import fold_letters

# A sentence ends at ".", "!" or "?" followed by a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_TEMPERATURES = np.linspace(0.05, 3.0, 60)
_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


@dataclass(frozen=True)
class Doc:
    """One message as the model reads it: the text and its lemmas (from the tokenizer)."""

    text: str
    lemmas: Tuple[str, ...]
    # (intent, score) from passage retrieval (`bot.retrieval`): weighed in with `weight`.
    evidence: Tuple[Tuple[str, float], ...] = ()

    @property
    def chars(self) -> str:
        return fold_letters(self.text)

    @property
    def words(self) -> str:
        return " ".join(fold_letters(lemma) for lemma in self.lemmas if lemma.strip())


@dataclass
class Settings:
    c: float = 10.0
    char_ngrams: Tuple[int, int] = (2, 5)
    word_ngrams: Tuple[int, int] = (1, 2)
    calibration_folds: int = 3
    random_seed: int = 42
    # Question focus: which intents are "general" and how sure a question must be.
    general_intents: Tuple[str, ...] = ("express_worry",)
    topic_prefix: str = "faq_"
    focus_threshold: float = 0.5


def sentences(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each sentence of `text` that has at least two words."""
    spans, start = [], 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if len(text[start:end].split()) >= 2:
            spans.append((start, end))
        start = match.end() if match else end
    return spans


def questions(text: str) -> List[Tuple[int, int]]:
    """The spans that ask: sentences with "?", else the last sentence; [] when one."""
    spans = sentences(text)
    if len(spans) < 2:
        return []
    asking = [(s, e) for s, e in spans if "?" in text[s:e]]
    return asking or spans[-1:]


def _columns(scores: np.ndarray) -> np.ndarray:
    """One column per class: with two classes scikit-learn scores only the second."""
    if scores.ndim == 1 or scores.shape[1] == 1:
        scores = scores.reshape(-1)
        return np.column_stack([-scores, scores])
    return scores


@dataclass
class IntentModel:
    settings: Settings = field(default_factory=Settings)
    vectorizers: List[Any] = field(default_factory=list)
    classifier: Any = None
    temperature: float = 1.0
    weight: float = 0.0  # of the retrieval evidence, fitted with the temperature
    scorer: Optional[Scorer] = field(default=None, repr=False)

    @property
    def classes(self) -> List[str]:
        return [str(c) for c in self.classifier.classes_] if self.classifier is not None else []

    def _new_vectorizers(self) -> List[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        s = self.settings
        return [
            TfidfVectorizer(analyzer="char_wb", ngram_range=s.char_ngrams, sublinear_tf=True,
                            lowercase=False, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=s.word_ngrams, sublinear_tf=True,
                            lowercase=False, token_pattern=r"[^ ]+", dtype=np.float32),
        ]

    @staticmethod
    def _views(docs: Sequence[Doc]) -> List[List[str]]:
        return [[d.chars for d in docs], [d.words for d in docs]]

    def _matrix(self, vectorizers: List[Any], docs: Sequence[Doc], fit: bool = False) -> Any:
        from scipy.sparse import hstack

        views = self._views(docs)
        parts = [v.fit_transform(t) if fit else v.transform(t)
                 for v, t in zip(vectorizers, views, strict=True)]
        return hstack(parts).tocsr()

    def _fit_once(self, docs: Sequence[Doc], labels: Sequence[str]) -> Tuple[List[Any], Any]:
        from sklearn.linear_model import LogisticRegression

        vectorizers = self._new_vectorizers()
        matrix = self._matrix(vectorizers, docs, fit=True)
        classifier = LogisticRegression(C=self.settings.c, max_iter=3000,
                                        class_weight="balanced",
                                        random_state=self.settings.random_seed)
        classifier.fit(matrix, list(labels))
        return vectorizers, classifier

    def _evidence(self, docs: Sequence[Doc], classes: Sequence[str]) -> np.ndarray:
        column = {c: i for i, c in enumerate(classes)}
        matrix = np.zeros((len(docs), len(classes)))
        for row, doc in enumerate(docs):
            for intent, score in doc.evidence:
                if intent in column:
                    matrix[row, column[intent]] = score
        return matrix

    def _folds(self, labels: Sequence[str]) -> List[Tuple[np.ndarray, np.ndarray]]:
        from sklearn.model_selection import StratifiedKFold

        y = np.asarray(labels)
        smallest = min(np.unique(y, return_counts=True)[1])
        folds = min(self.settings.calibration_folds, int(smallest))
        if folds < 2:
            return []
        split = StratifiedKFold(folds, shuffle=True, random_state=self.settings.random_seed)
        # Every class has at least `folds` examples, so each training fold knows them all.
        return list(split.split(np.zeros(len(y)), y))

    def _out_of_fold(self, docs: Sequence[Doc], labels: Sequence[str],
                     test: Sequence[Doc]) -> Tuple[List[str], np.ndarray]:
        """Classes and scores on `test` of a model fitted on `docs` (one calibration fold)."""
        vectorizers, classifier = self._fit_once(docs, labels)
        scores = _columns(classifier.decision_function(self._matrix(vectorizers, test)))
        return [str(c) for c in classifier.classes_], scores

    def _calibrate(self, docs: Sequence[Doc], labels: Sequence[str],
                   splits: Sequence[Tuple[np.ndarray, np.ndarray]],
                   folds: Sequence[Tuple[List[str], np.ndarray]]) -> Tuple[float, float]:
        """The temperature and evidence weight that make out-of-fold confidences honest
        (least log loss): retrieval counts as much as it helps on unseen examples."""
        if not splits:
            return 1.0, 0.0
        y = np.asarray(labels)
        classes = folds[0][0]
        order = [i for _, test in splits for i in test]
        scores = np.vstack([fold_scores for _, fold_scores in folds])
        column = np.searchsorted(np.asarray(classes), y[order])
        evidence = self._evidence([docs[i] for i in order], classes)
        rows = np.arange(len(column))

        def loss(t: float, w: float) -> float:
            combined = (scores + w * evidence) / t
            return float(-np.log(softmax(combined, axis=1)[rows, column] + 1e-12).mean())

        weights = _WEIGHTS if evidence.any() else (0.0,)
        return min(((float(t), float(w)) for t in _TEMPERATURES for w in weights),
                   key=lambda tw: loss(*tw))

    def fit(self, docs: Sequence[Doc], labels: Sequence[str], jobs: int = 0) -> IntentModel:
        """Fit the model and, out of fold, its temperature and evidence weight. The fold
        models and the final one are independent: they are fitted side by side on
        `jobs` processes (0: one per core), which halves training on two cores."""
        from joblib import Parallel, delayed

        y = list(labels)
        splits = self._folds(y)
        tasks = [delayed(self._out_of_fold)([docs[i] for i in train], [y[i] for i in train],
                                            [docs[i] for i in test]) for train, test in splits]
        tasks.append(delayed(self._fit_once)(docs, y))
        results = Parallel(n_jobs=jobs or min(len(tasks), os.cpu_count() or 1))(tasks)
        self.vectorizers, self.classifier = results[-1]
        self.temperature, self.weight = self._calibrate(docs, y, splits, results[:-1])
        self.compile()
        return self

    def compile(self) -> Scorer:
        """Build the fast scorer from the fitted parts (after fit, and after loading)."""
        self.scorer = Scorer(self.vectorizers, self.classifier)
        return self.scorer

    def probabilities(self, docs: Sequence[Doc]) -> np.ndarray:
        """Calibrated confidences, one row per doc, columns in `classes` order."""
        scorer = self.scorer or self.compile()
        scores = _columns(scorer.scores(self._views(docs)))
        if self.weight:
            scores = scores + self.weight * self._evidence(docs, self.classes)
        return softmax(scores / self.temperature, axis=1)

    def focused(self, whole: np.ndarray, asked: np.ndarray) -> Optional[np.ndarray]:
        """The row of `asked` (one per question) that should replace `whole`, if any."""
        if not len(asked):
            return None
        classes = self.classes
        s = self.settings
        general = classes[int(whole.argmax())] in s.general_intents
        if not general and whole.max() >= s.focus_threshold:
            return None
        best = asked[int(asked.max(axis=1).argmax())]
        topic = classes[int(best.argmax())]
        if topic.startswith(s.topic_prefix) and best.max() >= s.focus_threshold:
            return best
        return None

    def ranking(self, row: np.ndarray, length: int) -> List[Dict[str, Any]]:
        order = np.argsort(-row)
        if length > 0:
            order = order[:length]
        classes = self.classes
        return [{"name": classes[i], "confidence": float(row[i])} for i in order]
