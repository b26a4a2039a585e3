"""Acute-danger patterns: the rule-based safety net behind the intent classifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Tuple

import yaml

from bot.text import fold


class DangerPatternError(ValueError):
    """The danger pattern file is malformed."""


@dataclass(frozen=True)
class DangerPatterns:
    patterns: Tuple[Tuple[str, re.Pattern[str]], ...]
    # Everyday idioms that explain an alarming word ("keder sig ihjel"): they never
    # overrule a danger pattern, only a classifier that guessed danger from the word.
    benign: Tuple[re.Pattern[str], ...] = ()

    def match(self, text: str) -> Optional[str]:
        """The category of the first pattern found in `text`, or None."""
        folded = fold(text)
        for category, pattern in self.patterns:
            if pattern.search(folded):
                return category
        return None

    def benign_idiom(self, text: str) -> Optional[str]:
        """The idiom that explains the alarming words of `text`, or None."""
        folded = fold(text)
        for pattern in self.benign:
            found = pattern.search(folded)
            if found:
                return found[0]
        return None


def _compile(regex: Any, where: str, path: Path) -> re.Pattern[str]:
    try:
        return re.compile(fold(str(regex)))
    except re.error as error:
        raise DangerPatternError(
            f"{path}: pattern {regex!r} in '{where}' is not a valid regex: {error}"
        ) from error


def load_patterns(path: Path) -> DangerPatterns:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DangerPatternError(f"{path}: cannot read danger patterns: {error}") from error
    groups = raw.get("patterns")
    if not isinstance(groups, dict) or not groups:
        raise DangerPatternError(f"{path}: 'patterns' must map categories to regex lists")
    compiled: List[Tuple[str, re.Pattern[str]]] = []
    for category, regexes in groups.items():
        if not isinstance(regexes, list):
            raise DangerPatternError(f"{path}: category '{category}' must hold a list")
        for regex in regexes:
            compiled.append((str(category), _compile(regex, str(category), path)))
    benign = raw.get("benign_idioms") or []
    if not isinstance(benign, list):
        raise DangerPatternError(f"{path}: 'benign_idioms' must be a list of regexes")
    return DangerPatterns(tuple(compiled),
                          tuple(_compile(r, "benign_idioms", path) for r in benign))
