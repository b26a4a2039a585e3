"""Which danger patterns should need the classifier's vote: measured, not guessed.

A category's `patterns` in data/knowledge/danger.yml send a message to 112 on their
own; its `signs` only back the classifier's vote. A pattern that matches many ordinary
messages ("kniv", "drukner", "kramper" said of a course, a film or last year) sends
them to 112 although the classifier, which has read thousands of such messages, says
they are ordinary. This tool finds those patterns on the classifier's examples by
cross-validation (each example read by a model not trained on it), so that staff can
move them to the category's signs:

    .venv/bin/python -m bot.danger_demote          # the list, with what each move does

A pattern is proposed when moving it spares more ordinary messages than `WEIGHT` times
the emergencies it would lose (a lost emergency counts five false alarms). The
evaluation sets in tests/data are never read here.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, replace
from typing import FrozenSet, List, Optional, Sequence, Set, Tuple

import yaml

from bot.danger import _WORD, URGENT, DangerCheck, _any
from bot.danger_eval import DANGER_FILE
from bot.danger_file import load_patterns
from bot.danger_model import NONE, DangerModel, load_examples
from bot.text import fold, fold_variants

WEIGHT = 5
Key = Tuple[str, int]  # (category, index of the pattern in that category)


@dataclass(frozen=True)
class Reading:
    """What the check and a model not trained on it make of one example."""

    danger: bool                  # the example is an emergency
    strong: FrozenSet[Key]        # patterns that match, not framed as over or general
    other: bool                   # 112 for a reason other than a pattern (foreign marker)
    backed: bool                  # a cue or a sign: the model's vote may count
    votes: bool                   # the model votes danger, not framed, 3 words or more


def _pattern_hits(check: DangerCheck, text: str) -> Set[Key]:
    hits: Set[Key] = set()
    for reading in fold_variants(text):
        plain = check._without_idioms(reading)
        for category, patterns in check.categories:
            if check._framing(plain, category) is not None:
                continue
            hits |= {(category, i) for i, p in enumerate(patterns) if p.search(plain)}
        if check.urgent_with_cue(plain) and check._framing(plain, URGENT) is None:
            hits.add((URGENT, 0))
    return hits


def read(check: DangerCheck, text: str, category: str) -> Reading:
    plain = check._without_idioms(fold_variants(text)[0])
    strong = frozenset(_pattern_hits(check, text))
    found = check.assess(text)
    vote = check.model.vote(plain) if check.model is not None else None
    return Reading(
        danger=category != NONE, strong=strong,
        other=found.danger and found.source == "pattern" and not strong,
        backed=_any(check.cues + check.weak_cues, plain)
        or any(_any(s, plain) for s in check.signs.values()),
        votes=(vote is not None and len(_WORD.findall(plain)) >= 3
               and check._framing(plain, vote.category) is None and not found.defused_by))


def flagged(reading: Reading, moved: FrozenSet[Key]) -> bool:
    """112 for this example once the patterns in `moved` only back the model's vote."""
    if reading.strong - moved or reading.other:
        return True
    return reading.votes and (reading.backed or bool(reading.strong))


def cross_validated_readings(check: DangerCheck, folds: int = 5) -> List[Reading]:
    raw = yaml.safe_load(DANGER_FILE.read_text(encoding="utf-8"))["classifier"]["examples"]
    examples = load_examples([DANGER_FILE.parent / str(name) for name in raw], fold)
    random.Random(1).shuffle(examples)
    readings: List[Reading] = []
    for part in range(folds):
        model = DangerModel.train([e for i, e in enumerate(examples) if i % folds != part],
                                  check.model.threshold if check.model else 0.5)
        trial = replace(check, model=model)
        readings += [read(trial, text, category) for text, category in examples[part::folds]]
    return readings


def score(readings: Sequence[Reading], moved: FrozenSet[Key]) -> Tuple[int, int]:
    """(emergencies sent to 112, ordinary messages sent to 112)."""
    found = sum(flagged(r, moved) for r in readings if r.danger)
    alarms = sum(flagged(r, moved) for r in readings if not r.danger)
    return found, alarms


def propose(readings: Sequence[Reading]) -> List[Tuple[Key, int, int]]:
    """Greedy: each step moves the pattern that spares most, while that pays."""
    moved: FrozenSet[Key] = frozenset()
    found, alarms = score(readings, moved)
    steps: List[Tuple[Key, int, int]] = []
    candidates = sorted({k for r in readings if not r.danger for k in r.strong})
    while True:
        best: Optional[Tuple[int, Key, int, int]] = None
        for key in candidates:
            if key in moved or key[0] == URGENT:
                continue
            f, a = score(readings, moved | {key})
            gain = (alarms - a) - WEIGHT * (found - f)
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, key, f, a)
        if best is None:
            return steps
        _, key, found, alarms = best
        moved = moved | {key}
        steps.append((key, found, alarms))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    check = load_patterns(DANGER_FILE)
    readings = cross_validated_readings(check)
    danger = sum(r.danger for r in readings)
    found, alarms = score(readings, frozenset())
    print(f"now: {found}/{danger} emergencies, {alarms}/{len(readings) - danger} ordinary "
          "messages sent to 112 (5-fold cross-validation on the classifier examples)")
    patterns = dict(check.categories)
    for (category, index), found, alarms in propose(readings):
        print(f"move {category}[{index}] -> {found} emergencies, {alarms} ordinary: "
              f"{patterns[category][index].pattern[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
