"""Compare NLU pipelines on the held-out set: the evidence behind config.yml.

Trains each Rasa configuration on `data/nlu/`, parses every held-out example with
the trained model, and does the same for a plain TF-IDF plus logistic regression
baseline. Writes a Markdown table (docs/nlu-comparison.md by default).
"""

from __future__ import annotations

import asyncio
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from bot.settings import PROJECT_ROOT

FALLBACK = "nlu_fallback"
# Every pipeline is judged at the fallback threshold of config.yml, so "answered" and
# "wrong" compare like with like (Rasa's default pipeline ships with 0.3).
THRESHOLD = 0.5

RASA_CONFIGS = {
    "Danish pipeline (config.yml)": PROJECT_ROOT / "config.yml",
    "Danish pipeline, char 1-4, 100 epochs":
        PROJECT_ROOT / "experiments" / "nlu" / "danish_char14_100.yml",
    "Danish pipeline without lemmas": PROJECT_ROOT / "experiments" / "nlu" / "danish_no_lemma.yml",
    "Rasa default pipeline": PROJECT_ROOT / "experiments" / "nlu" / "rasa_default.yml",
}


@dataclass
class Score:
    name: str
    top1: float  # share of examples whose best-ranked intent is right
    answered: float  # share answered with the right intent (fallback: not answered)
    wrong: float  # share answered with a wrong intent: the costly error
    macro_f1: float
    train_seconds: float


def examples(path: Path) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def _score(name: str, gold: Sequence[str], top: Sequence[str], final: Sequence[str],
           seconds: float) -> Score:
    from sklearn.metrics import f1_score

    n = len(gold)
    return Score(
        name=name,
        top1=sum(g == t for g, t in zip(gold, top, strict=False)) / n,
        answered=sum(g == f for g, f in zip(gold, final, strict=False)) / n,
        wrong=sum(f != g and f != FALLBACK for g, f in zip(gold, final, strict=False)) / n,
        macro_f1=float(f1_score(gold, top, average="macro")),
        train_seconds=seconds,
    )


def score_parses(name: str, holdout: List[Tuple[str, str]],
                 parse: Callable[[str], Dict[str, Any]], seconds: float = 0.0) -> Score:
    """The held-out examples scored with `parse` (text -> Rasa's parse result)."""
    top, final = [], []
    for text, _ in holdout:
        parsed = parse(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
        best = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        top.append(best["name"])
        overridden = parsed["intent"].get("confidence") == 1.0  # SafetyNet, InputGuard
        if overridden or best["confidence"] >= THRESHOLD:
            final.append(parsed["intent"]["name"] if overridden else best["name"])
        else:
            final.append(FALLBACK)
    return _score(name, [g for _, g in holdout], top, final, seconds)


def score_model(name: str, model: str, holdout: List[Tuple[str, str]],
                seconds: float = 0.0) -> Score:
    """A trained model (.tar.gz) scored on the held-out examples."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return score_parses(name, holdout,
                        lambda text: asyncio.run(agent.parse_message(text)), seconds)


def score_rasa(name: str, config: Path, train_dir: Path,
               holdout: List[Tuple[str, str]]) -> Score:
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        model = train_nlu(str(config), str(train_dir), out, domain=str(PROJECT_ROOT / "domain.yml"))
        return score_model(name, model, holdout, time.perf_counter() - started)


def score_tfidf(train: List[Tuple[str, str]], holdout: List[Tuple[str, str]]) -> Score:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(max_iter=2000, C=10.0),
    )
    model.fit([t for t, _ in train], [i for _, i in train])
    seconds = time.perf_counter() - started
    texts = [t for t, _ in holdout]
    predicted = list(model.predict(texts))
    confidence = model.predict_proba(texts).max(axis=1)
    final = [p if c >= THRESHOLD else FALLBACK for p, c in zip(predicted, confidence, strict=False)]
    return _score("TF-IDF + logistic regression", [g for _, g in holdout], predicted,
                  final, seconds)


def render(scores: List[Score], holdout_path: Path, count: int) -> str:
    lines = [
        f"Held-out set: `{holdout_path.relative_to(PROJECT_ROOT)}` ({count} examples, "
        "written separately from `data/nlu/`). Reproduce with `make compare`.",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}.",
        "",
        "- top-1: the best-ranked intent is right (the fallback threshold ignored).",
        f"- answered right: the best intent is right and its confidence at least {THRESHOLD}"
        " (below that the bot asks a clarifying question: not answered).",
        "- wrong answer: a confident wrong intent; the error a parent pays for.",
        "",
        "| pipeline | top-1 | macro F1 | answered right | wrong answer | training |",
        "|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(f"| {s.name} | {s.top1:.1%} | {s.macro_f1:.3f} | {s.answered:.1%} | "
                     f"{s.wrong:.1%} | {s.train_seconds:.0f} s |")
    return "\n".join(lines) + "\n"


def compare(holdout_path: Path, train_dir: Path, progress: Callable[[str], None]) -> str:
    # No training cache: every pipeline trains from scratch, so the times compare.
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    holdout = examples(holdout_path)
    train = examples(train_dir)
    scores = []
    for name, config in RASA_CONFIGS.items():
        progress(f"Træner og måler: {name} ...")
        scores.append(score_rasa(name, config, train_dir, holdout))
    progress("Træner og måler: TF-IDF + logistisk regression ...")
    scores.append(score_tfidf(train, holdout))
    return render(scores, holdout_path, len(holdout))




START, END = "<!-- results: written by `make compare` -->", "<!-- /results -->"


def write_results(path: Path, table: str) -> None:
    """Put `table` between the result markers of `path`, keeping the prose around it."""
    block = f"{START}\n{table}{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = (text + "\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")
