"""The danger check measured on the independent sets, per category and per half.

`tests/data/danger_eval.yml` (emergencies) and `tests/data/not_danger_eval.yml`
(ordinary messages with danger words) were written by a helper that had not seen the
patterns, the training data or the code. Each message is marked `heldout`: only the
other half may be read when patterns are written or tuned.

    .venv/bin/python -m bot.danger_eval            # the tables for the README
    .venv/bin/python -m bot.danger_eval --misses   # also the tuning half's misses
    .venv/bin/python -m bot.danger_eval --sweep    # the classifier's threshold, tuning halves
    .venv/bin/python -m bot.danger_eval --cv       # the threshold, on the classifier examples

The held-out half's misses are never printed: look at them and they are tuned on.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from bot.danger import DangerCheck
from bot.danger_file import load_patterns
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DANGER_SET = DATA / "danger_eval.yml"
NOT_DANGER_SET = DATA / "not_danger_eval.yml"
# Sixteen pairs, each from another independent helper, written after the tuning on the last.
SETS = tuple((DATA / f"danger_eval{suffix}.yml", DATA / f"not_danger_eval{suffix}.yml")
             for suffix in ("",) + tuple(f"_{n}" for n in range(2, 17)))
DANGER_FILE = PROJECT_ROOT / "data" / "knowledge" / "danger.yml"


@dataclass(frozen=True)
class Case:
    text: str
    category: str
    heldout: bool
    voice: str
    lang: str


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    def share(self) -> str:
        return f"{self.hits}/{self.total}" + (f" ({100 * self.hits / self.total:.0f}%)"
                                              if self.total else "")


def load_cases(path: Path) -> List[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Case(str(m["text"]), str(m["category"]), bool(m.get("heldout")),
                 str(m.get("voice") or ""), str(m.get("lang") or ""))
            for m in raw.get("messages") or []]


def tally(check: DangerCheck, cases: Sequence[Case]) -> Dict[str, Dict[str, Tally]]:
    """{category: {"tuning" | "heldout" | "all": Tally of messages sent to 112}}."""
    table: Dict[str, Dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for case in cases:
        flagged = check.match(case.text) is not None
        half = "heldout" if case.heldout else "tuning"
        for category in (case.category, "ALL"):
            table[category][half].add(flagged)
            table[category]["all"].add(flagged)
    return table


def misses(check: DangerCheck, cases: Sequence[Case], danger: bool) -> List[Case]:
    """Tuning-half cases the check gets wrong (never the held-out half)."""
    return [c for c in cases if not c.heldout and (check.match(c.text) is None) == danger]


def markdown(table: Dict[str, Dict[str, Tally]], what: str) -> str:
    lines = [f"| category | {what}: tuning half | held-out half | all |", "|---|---|---|---|"]
    for category in sorted(table, key=lambda c: (c == "ALL", c)):
        row = table[category]
        name = "**all**" if category == "ALL" else category
        lines.append(f"| {name} | {row['tuning'].share()} | {row['heldout'].share()} | "
                     f"{row['all'].share()} |")
    return "\n".join(lines)


def sweep(check: DangerCheck) -> str:
    """Recall and false alarms of the tuning halves at each classifier threshold."""
    if check.model is None:
        return "no classifier in danger.yml"
    pairs = [(load_cases(d), load_cases(o)) for d, o in SETS if d.exists()]
    lines = ["| threshold | recall (tuning halves) | false alarms (tuning halves) |",
             "|---|---|---|"]
    for step in range(6, 19):
        threshold = step / 20
        trial = replace(check, model=check.model.with_threshold(threshold))
        found, ordinary = Tally(), Tally()
        for danger, plain in pairs:
            for case in danger:
                if not case.heldout:
                    found.add(trial.match(case.text) is not None)
            for case in plain:
                if not case.heldout:
                    ordinary.add(trial.match(case.text) is not None)
        lines.append(f"| {threshold:.2f} | {found.share()} | {ordinary.share()} |")
    return "\n".join(lines)


def cross_validated(check: DangerCheck, folds: int = 5) -> str:
    """The whole check per threshold, each example read by a model not trained on it.

    The classifier examples are split in `folds` parts; each part is assessed with a
    model trained on the others, so the figures say how the model does on messages it
    has not seen, without reading the evaluation sets.
    """
    import random

    from bot.danger_model import NONE, DangerModel, load_examples
    from bot.text import fold

    if check.model is None:
        return "no classifier in danger.yml"
    raw = yaml.safe_load(DANGER_FILE.read_text(encoding="utf-8"))["classifier"]["examples"]
    examples = load_examples([DANGER_FILE.parent / str(name) for name in raw], fold)
    random.Random(1).shuffle(examples)
    thresholds = [step / 10 for step in range(4, 10)]
    found = {t: Tally() for t in thresholds}
    ordinary = {t: Tally() for t in thresholds}
    for part in range(folds):
        model = DangerModel.train([e for i, e in enumerate(examples) if i % folds != part], 0.5)
        for threshold in thresholds:
            trial = replace(check, model=model.with_threshold(threshold))
            for text, category in examples[part::folds]:
                tally_ = ordinary if category == NONE else found
                tally_[threshold].add(trial.match(text) is not None)
    lines = ["| threshold | 112 given to emergencies | 112 given to ordinary messages |",
             "|---|---|---|"]
    lines += [f"| {t:.1f} | {found[t].share()} | {ordinary[t].share()} |" for t in thresholds]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true",
                        help="list the tuning half's misses and false alarms")
    parser.add_argument("--sweep", action="store_true",
                        help="recall and false alarms per classifier threshold")
    parser.add_argument("--cv", action="store_true",
                        help="per classifier threshold, on the examples (5-fold)")
    args = parser.parse_args(argv)
    check = load_patterns(DANGER_FILE)
    if args.cv:
        print(cross_validated(check))
        return 0
    if args.sweep:
        print(sweep(check))
        return 0
    for danger_path, ordinary_path in SETS:
        if not danger_path.exists():
            continue
        danger, ordinary = load_cases(danger_path), load_cases(ordinary_path)
        print(f"### {danger_path.name} and {ordinary_path.name}\n")
        print(markdown(tally(check, danger), "112 given (recall)"))
        print()
        print(markdown(tally(check, ordinary), "112 given (false alarms)"))
        print()
        if args.misses:
            for case in misses(check, danger, True):
                print(f"MISSED  [{case.category}] {case.text}")
            for case in misses(check, ordinary, False):
                found: Any = check.match(case.text)
                print(f"FALSE   [{case.category} -> {found}] {case.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
