"""A second reader for the danger check: a small classifier over written examples.

Patterns reach what they were written from; a parent or a child who describes an
emergency in other words slips past them. `DangerModel` is a logistic regression over
character and word n-grams of the folded text (`bot.text.fold`), trained on the
examples in `data/knowledge/danger_examples_*.yml` (one category per example, `none`
for ordinary messages with alarming words), so it reads "han er helt blå om læberne"
as close to "han trækker ikke vejret" although no pattern names it.

The model never decides alone (`bot.danger.DangerCheck` asks it only when a danger
cue is in the text, outside idioms and not framed as over or general), and it never
outvotes a pattern. It is trained when the check is first loaded on a machine (about
5,500 short examples take about half a minute on two cores) and kept in
`build/danger-model/`, named by a hash of the example files, so every later start and
every other process reads it in a moment; a change to an example trains anew.
scikit-learn comes with Rasa; it is used here because it is already installed, well
kept, deterministic and small.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import yaml

logger = logging.getLogger(__name__)

NONE = "none"  # the category of an ordinary message in the examples
MODEL_FORMAT = 1  # part of the cache key: raise it when the features or estimator change


class DangerExamplesError(ValueError):
    """An examples file is malformed."""


@dataclass(frozen=True)
class Vote:
    category: str       # the most likely category of danger
    confidence: float   # the model's probability that the message is not ordinary


class DangerModel:
    """Reads a folded message and votes for a category of danger, or abstains."""

    def __init__(self, pipeline: Any, threshold: float) -> None:
        from bot.linear_scorer import Scorer

        self._pipeline = pipeline
        self._classes: List[str] = list(pipeline.classes_)
        self.threshold = threshold
        features, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        # Both views read the same folded text; scored as the pipeline would, faster.
        self._scorer = Scorer([v for _, v in features.transformer_list], classifier)
        self._views = len(features.transformer_list)

    @classmethod
    def train(cls, examples: Sequence[Tuple[str, str]], threshold: float) -> DangerModel:
        """Fit on (folded text, category) pairs; `threshold` in (0, 1)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        if not 0.0 < threshold < 1.0:
            raise DangerExamplesError(f"classifier threshold {threshold} is not in (0, 1)")
        categories = {category for _, category in examples}
        if NONE not in categories or len(categories) < 2:
            raise DangerExamplesError("the examples need 'none' and at least one danger "
                                      "category")
        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                      sublinear_tf=True, min_df=2)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                      sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
        ])
        pipeline = make_pipeline(features, LogisticRegression(C=10.0, max_iter=3000))
        pipeline.fit([text for text, _ in examples], [category for _, category in examples])
        return cls(pipeline, threshold)

    @classmethod
    def cached(cls, paths: Sequence[Path], threshold: float, fold: Any,
               cache_dir: Optional[Path]) -> DangerModel:
        """Trained on the examples in `paths`, or read from `cache_dir` if trained before."""
        import joblib
        target = cache_dir / f"{examples_key(paths)}.joblib" if cache_dir else None
        if target is not None and target.is_file():
            try:
                return cls(joblib.load(target), threshold)
            except Exception as error:  # a broken or foreign file: train anew
                logger.warning("danger model %s unreadable (%s): training anew", target, error)
        model = cls.train(load_examples(paths, fold), threshold)
        if target is not None:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
                os.close(handle)
                joblib.dump(model._pipeline, temporary)
                os.replace(temporary, target)  # atomic: a parallel start reads all or none
                for old in target.parent.glob("*.joblib"):
                    if old != target:
                        old.unlink(missing_ok=True)
                logger.info("danger model trained on %s and kept in %s",
                            ", ".join(p.name for p in paths), target)
            except OSError as error:
                logger.warning("danger model not kept in %s: %s", target.parent, error)
        return model

    def with_threshold(self, threshold: float) -> DangerModel:
        """The same model, voting from another probability."""
        return DangerModel(self._pipeline, threshold)

    def vote(self, folded: str) -> Optional[Vote]:
        """The category when the model is at least `threshold` sure it is danger."""
        from scipy.special import softmax

        probabilities = softmax(self._scorer.scores([[folded]] * self._views)[0])
        ranked = sorted(zip(self._classes, probabilities, strict=True), key=lambda cp: -cp[1])
        danger = 1.0 - dict(ranked).get(NONE, 0.0)
        if danger < self.threshold:
            return None
        category = next(c for c, _ in ranked if c != NONE)
        return Vote(category, round(float(danger), 3))


def examples_key(paths: Sequence[Path]) -> str:
    """A name for the model trained on these files as they are now."""
    import sklearn
    digest = hashlib.sha256(f"{MODEL_FORMAT}:{sklearn.__version__}".encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def load_examples(paths: Sequence[Path], fold: Any) -> List[Tuple[str, str]]:
    """(fold(text), category) pairs from every file; `fold` is `bot.text.fold`."""
    examples: List[Tuple[str, str]] = []
    for path in paths:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise DangerExamplesError(f"{path}: cannot read danger examples: {error}"
                                      ) from error
        items = raw.get("examples") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise DangerExamplesError(f"{path}: 'examples' must be a list")
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict) or not item.get("text") or not item.get("category"):
                raise DangerExamplesError(f"{path}: example {number} needs 'text' and "
                                          "'category'")
            examples.append((fold(str(item["text"])), str(item["category"])))
    return examples
