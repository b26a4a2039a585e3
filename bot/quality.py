"""Is a trained model good enough to serve parents? The checks `test` and `reload` share.

- The held-out set (`tests/data/nlu_holdout.yml`: wordings never used in training)
  against the thresholds kept in the repo (`tests/data/heldout_thresholds.yml`), the
  same gate CI applies.
- A new model against the one the server runs: refused when it answers fewer held-out
  questions right, or more of them wrong, by more than `tolerance` examples (one by
  default: retraining with one new example may move a borderline wording either way).
- The story tests (`tests/stories/`) with `rasa test core`.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.nlu_compare import Score

HOLDOUT = Path("tests") / "data" / "nlu_holdout.yml"
THRESHOLDS = Path("tests") / "data" / "heldout_thresholds.yml"
STORIES = Path("tests") / "stories"


@dataclass(frozen=True)
class Thresholds:
    top1_at_least: float
    answered_right_at_least: float
    wrong_answer_at_most: float


def thresholds(root: Path) -> Thresholds:
    raw = yaml.safe_load((root / THRESHOLDS).read_text("utf-8"))
    return Thresholds(float(raw["top1_at_least"]), float(raw["answered_right_at_least"]),
                      float(raw["wrong_answer_at_most"]))


def holdout(root: Path) -> List[Tuple[str, str]]:
    from bot.nlu_compare import examples

    return examples(root / HOLDOUT)


def percent(value: float) -> str:
    return f"{100 * value:.1f} %".replace(".", ",")


def describe(score: Score) -> str:
    return (f"svarede rigtigt på {percent(score.answered)}, forkert på {percent(score.wrong)}"
            f" (bedste gæt rigtigt: {percent(score.top1)})")


def below_thresholds(score: Score, limits: Thresholds) -> List[str]:
    """Why the score fails the repo's thresholds (empty: it passes)."""
    reasons = []
    if score.top1 < limits.top1_at_least:
        reasons.append(f"bedste gæt rigtigt på {percent(score.top1)}, kravet er mindst "
                       f"{percent(limits.top1_at_least)}")
    if score.answered < limits.answered_right_at_least:
        reasons.append(f"svarede rigtigt på {percent(score.answered)}, kravet er mindst "
                       f"{percent(limits.answered_right_at_least)}")
    if score.wrong > limits.wrong_answer_at_most:
        reasons.append(f"svarede forkert på {percent(score.wrong)}, kravet er højst "
                       f"{percent(limits.wrong_answer_at_most)}")
    return reasons


def worse_than(new: Score, running: Score, examples: int, tolerance: int = 1) -> List[str]:
    """Why `new` is worse than `running` on the same `examples` held-out questions
    (empty: it is as good, within `tolerance` questions)."""
    slack = tolerance / max(1, examples) + 1e-9
    reasons = []
    if new.answered < running.answered - slack:
        reasons.append(f"den nye model svarer rigtigt på færre spørgsmål "
                       f"({percent(new.answered)} mod {percent(running.answered)})")
    if new.wrong > running.wrong + slack:
        reasons.append(f"den nye model svarer forkert på flere spørgsmål "
                       f"({percent(new.wrong)} mod {percent(running.wrong)})")
    return reasons


@dataclass
class StoryResult:
    passed: bool
    failed_stories: List[str]
    output: str


def story_tests(root: Path, model: Path, out_dir: Path, env: Dict[str, str]) -> StoryResult:
    """`rasa test core` on tests/stories with the model; the names of failed stories."""
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model),
         "--stories", str(root / STORIES), "--out", str(out_dir),
         "--fail-on-prediction-errors"],
        cwd=root, env=env, capture_output=True, text=True)
    failed_file = out_dir / "failed_test_stories.yml"
    failed: List[str] = []
    if failed_file.exists():
        text = failed_file.read_text("utf-8")
        failed = [line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.startswith("- story:")]
    return StoryResult(done.returncode == 0 and not failed, failed,
                       (done.stdout + done.stderr)[-3000:])
