"""The danger check measured on the independent sets, per category and per half.

`tests/data/danger_eval.yml` (emergencies) and `tests/data/not_danger_eval.yml`
(ordinary messages with danger words) were written by a helper that had not seen the
patterns, the training data or the code. Each message is marked `heldout`: only the
other half may be read when patterns are written or tuned.

    .venv/bin/python -m bot.danger_eval            # the tables for the README
    .venv/bin/python -m bot.danger_eval --misses   # also the tuning half's misses

The held-out half's misses are never printed: look at them and they are tuned on.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from bot.danger import DangerCheck, load_patterns
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DANGER_SET = DATA / "danger_eval.yml"
NOT_DANGER_SET = DATA / "not_danger_eval.yml"
# A second pair from another independent helper (written after the first tuning).
SETS = ((DANGER_SET, NOT_DANGER_SET),
        (DATA / "danger_eval_2.yml", DATA / "not_danger_eval_2.yml"))
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


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true",
                        help="list the tuning half's misses and false alarms")
    args = parser.parse_args(argv)
    check = load_patterns(DANGER_FILE)
    for danger_path, ordinary_path in SETS:
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
