"""Acute-danger patterns: the rule-based safety net behind the intent classifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from bot.text import fold


class DangerPatternError(ValueError):
    """The danger pattern file is malformed."""


@dataclass(frozen=True)
class DangerPatterns:
    patterns: Tuple[Tuple[str, re.Pattern[str]], ...]

    def match(self, text: str) -> Optional[str]:
        """The category of the first pattern found in `text`, or None."""
        folded = fold(text)
        for category, pattern in self.patterns:
            if pattern.search(folded):
                return category
        return None


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
            try:
                compiled.append((str(category), re.compile(fold(str(regex)))))
            except re.error as error:
                raise DangerPatternError(
                    f"{path}: pattern {regex!r} in '{category}' is not a valid regex: {error}"
                ) from error
    return DangerPatterns(tuple(compiled))
