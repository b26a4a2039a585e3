"""Compare NLU pipelines: the evidence behind config.yml.

Trains each Rasa configuration on `data/nlu/`, parses every example of the held-out
set with the trained model, and the one-message questions of the realistic set
(`tests/data/realistic_questions.yml`, both halves, by the intent each section answers
to); does the same for a plain TF-IDF plus logistic regression baseline. Writes a
Markdown table (docs/nlu-comparison.md by default).
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

EXPERIMENTS = PROJECT_ROOT / "experiments" / "nlu"
RASA_CONFIGS = {
    "Linear classifier (config.yml)": PROJECT_ROOT / "config.yml",
    "Linear classifier, no question focus": EXPERIMENTS / "linear_no_focus.yml",
    "Linear classifier, no retrieval": EXPERIMENTS / "linear_no_retrieval.yml",
    "Rasa LogisticRegressionClassifier": EXPERIMENTS / "rasa_logistic_regression.yml",
    "DIET, Danish pipeline (until 2026-12)": EXPERIMENTS / "danish_diet.yml",
    "Rasa default pipeline (DIET)": EXPERIMENTS / "rasa_default.yml",
}
REALISTIC = PROJECT_ROOT / "tests" / "data" / "realistic_questions.yml"


@dataclass
class Score:
    name: str
    top1: float  # share of examples whose best-ranked intent is right
    answered: float  # share answered with the right intent (fallback: not answered)
    wrong: float  # share answered with a wrong intent: the costly error
    macro_f1: float
    train_seconds: float
    parse_ms: float = 0.0  # mean time of one parse, the whole NLU pipeline
    # The realistic set, by intent: (knowledge right, knowledge wrong, out of scope cited)
    realistic: Tuple[float, float, float] = (0.0, 0.0, 0.0)


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


def _decide(parsed: Dict[str, Any]) -> Tuple[str, str]:
    """(best-ranked intent, intent acted on: the fallback below the threshold)."""
    ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
    best = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
    overridden = parsed["intent"].get("confidence") == 1.0  # SafetyNet, InputGuard
    if overridden:
        return best["name"], parsed["intent"]["name"]
    return best["name"], best["name"] if best["confidence"] >= THRESHOLD else FALLBACK


def realistic_cases(path: Path = REALISTIC) -> List[Tuple[str, str, frozenset]]:
    """(text, group, intents that answer it) for the realistic set's messages."""
    import yaml

    from bot.knowledge import load_knowledge

    knowledge = load_knowledge()
    cases = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
        if "contact" in case:
            cases.append((case["text"], "contact", frozenset({"request_person"})))
            continue
        sources = case["source"] if isinstance(case["source"], list) else [case["source"]]
        if "none" in sources:
            cases.append((case["text"], "out_of_scope", frozenset()))
            continue
        intents = {knowledge.sections[s].intent for s in sources if s in knowledge.sections}
        cases.append((case["text"], "knowledge", frozenset(intents)))
    return cases


def realistic_figures(finals: Sequence[str], cases: Sequence[Tuple[str, str, frozenset]]
                      ) -> Tuple[float, float, float]:
    """(knowledge and contact right, knowledge wrong, out of scope answered from a topic)."""
    asked = [(f, c) for f, c in zip(finals, cases, strict=True) if c[1] != "out_of_scope"]
    right = sum(f in c[2] for f, c in asked) / len(asked)
    # The worry answer cites no section (it offers topics and a person): not a wrong answer.
    wrong = sum(f not in c[2] and (f.startswith("faq_") or f == "request_person")
                for f, c in asked if c[1] == "knowledge") / len(asked)
    outside = [f for f, c in zip(finals, cases, strict=True) if c[1] == "out_of_scope"]
    cited = sum(f.startswith("faq_") for f in outside) / len(outside)
    return right, wrong, cited


def score_parses(name: str, holdout: List[Tuple[str, str]],
                 parse: Callable[[str], Dict[str, Any]], seconds: float = 0.0,
                 realistic: Sequence[Tuple[str, str, frozenset]] = ()) -> Score:
    """The held-out examples (and `realistic`) scored with `parse` (text -> parse result)."""
    started = time.perf_counter()
    decided = [_decide(parse(text)) for text, _ in holdout]
    parse_ms = 1000 * (time.perf_counter() - started) / max(len(holdout), 1)
    score = _score(name, [g for _, g in holdout], [t for t, _ in decided],
                   [f for _, f in decided], seconds)
    score.parse_ms = parse_ms
    if realistic:
        score.realistic = realistic_figures(
            [_decide(parse(text))[1] for text, _, _ in realistic], realistic)
    return score


def score_model(name: str, model: str, holdout: List[Tuple[str, str]],
                seconds: float = 0.0, realistic: Sequence[Tuple[str, str, frozenset]] = ()
                ) -> Score:
    """A trained model (.tar.gz) scored on the held-out examples."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return score_parses(name, holdout, lambda text: asyncio.run(agent.parse_message(text)),
                        seconds, realistic)


def score_rasa(name: str, config: Path, train_dir: Path, holdout: List[Tuple[str, str]],
               realistic: Sequence[Tuple[str, str, frozenset]] = ()) -> Score:
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        model = train_nlu(str(config), str(train_dir), out, domain=str(PROJECT_ROOT / "domain.yml"))
        return score_model(name, model, holdout, time.perf_counter() - started, realistic)


def score_tfidf(train: List[Tuple[str, str]], holdout: List[Tuple[str, str]],
                realistic: Sequence[Tuple[str, str, frozenset]] = ()) -> Score:
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
    score = _score("TF-IDF + logistic regression", [g for _, g in holdout], predicted,
                   final, seconds)
    if realistic:
        probabilities = model.predict_proba([t for t, _, _ in realistic])
        finals = [str(model.classes_[row.argmax()]) if row.max() >= THRESHOLD else FALLBACK
                  for row in probabilities]
        score.realistic = realistic_figures(finals, realistic)
    return score


def render(scores: List[Score], holdout_path: Path, count: int, realistic: int) -> str:
    lines = [
        f"Held-out set: `{holdout_path.relative_to(PROJECT_ROOT)}` ({count} examples, "
        "written separately from `data/nlu/`); realistic set: "
        f"`{REALISTIC.relative_to(PROJECT_ROOT)}` ({realistic} one-message cases, both "
        "halves, scored by intent). Reproduce with `make compare`.",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}.",
        "",
        "- top-1: the best-ranked intent is right (the fallback threshold ignored).",
        f"- answered right: the best intent is right and its confidence at least {THRESHOLD}"
        " (below that the bot asks a clarifying question: not answered).",
        "- wrong answer: a confident wrong intent; the error a parent pays for.",
        "- realistic right / wrong: knowledge and contact questions answered by an intent "
        "that answers them / knowledge questions answered by another topic; out of scope "
        "cited: out-of-scope messages answered from a topic.",
        "- parse: mean time of one message through the whole NLU pipeline (spaCy included).",
        "",
        "| pipeline | top-1 | macro F1 | answered right | wrong answer | realistic right "
        "| realistic wrong | out of scope cited | training | parse |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        right, wrong, cited = s.realistic
        lines.append(f"| {s.name} | {s.top1:.1%} | {s.macro_f1:.3f} | {s.answered:.1%} | "
                     f"{s.wrong:.1%} | {right:.1%} | {wrong:.1%} | {cited:.1%} | "
                     f"{s.train_seconds:.0f} s | {s.parse_ms:.1f} ms |")
    return "\n".join(lines) + "\n"


def compare(holdout_path: Path, train_dir: Path, progress: Callable[[str], None]) -> str:
    # No training cache: every pipeline trains from scratch, so the times compare.
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    holdout = examples(holdout_path)
    train = examples(train_dir)
    realistic = realistic_cases()
    scores = []
    for name, config in RASA_CONFIGS.items():
        progress(f"Træner og måler: {name} ...")
        scores.append(score_rasa(name, config, train_dir, holdout, realistic))
    progress("Træner og måler: TF-IDF + logistisk regression ...")
    scores.append(score_tfidf(train, holdout, realistic))
    return render(scores, holdout_path, len(holdout), len(realistic))


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
