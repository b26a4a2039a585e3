"""Acute danger by category: the rule-based check that decides "Ring 112 nu".

`DangerCheck.assess` reads a message in the one normalised form of `bot.normalise`
(every reading of it) and says which category of emergency it describes, if any, who
is writing (a young person about themselves, or a parent) and in which language. The
categories, the idioms and framings that are no emergency, the foreign-language
markers and the classifier's cues live in `data/knowledge/danger.yml`, which says how
they combine. Pure: no Rasa, read once per model load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.danger_model import DangerExamplesError, DangerModel
from bot.settings import PROJECT_ROOT
from bot.text import fold, fold_letters, fold_variants, guess_language

FOREIGN = "foreign"  # the category of a message in another language with a marker
URGENT = "urgent"    # no category's pattern, but an urgent word with a danger cue
# "Hvad gør man, hvis ..." never defuses these: a parent may ask so while it happens.
_FIRST_AID = frozenset({"not_breathing", "unconscious", "seizure", "fall_injury",
                        "bleeding", "drowning", "burns", "allergy", "poisoning"})
_WORD = re.compile(r"[^\W\d_]+")


class DangerPatternError(ValueError):
    """The danger pattern file is malformed."""


@dataclass(frozen=True)
class Assessment:
    """What the check made of one message."""

    category: Optional[str] = None  # a category of danger.yml, FOREIGN, or None
    young: bool = False             # a child or young person about themselves
    language: str = "da"            # "da", "en" or "other"
    defused_by: Optional[str] = None  # "over" or "general": a pattern matched, framed so
    source: Optional[str] = None    # "pattern" or "model": what found the danger

    @property
    def danger(self) -> bool:
        return self.category is not None


@dataclass(frozen=True)
class DangerCheck:
    categories: Tuple[Tuple[str, Tuple[re.Pattern[str], ...]], ...]
    titles: Dict[str, str] = field(default_factory=dict)
    markers: Tuple[re.Pattern[str], ...] = ()
    short_markers: Tuple[re.Pattern[str], ...] = ()
    idioms: Tuple[re.Pattern[str], ...] = ()
    over: Tuple[re.Pattern[str], ...] = ()
    general: Tuple[re.Pattern[str], ...] = ()
    fiction: Tuple[re.Pattern[str], ...] = ()  # a film, a game, a book: no vote counts
    questions: Tuple[re.Pattern[str], ...] = ()
    present: Tuple[re.Pattern[str], ...] = ()
    cues: Tuple[re.Pattern[str], ...] = ()
    weak_cues: Tuple[re.Pattern[str], ...] = ()  # back a vote; never pair with `urgent`
    signs: Dict[str, Tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    urgent: Tuple[re.Pattern[str], ...] = ()
    young: Tuple[re.Pattern[str], ...] = ()
    parent: Tuple[re.Pattern[str], ...] = ()
    model: Optional[DangerModel] = None  # asked only with a cue (bot.danger_model)

    def assess(self, text: str) -> Assessment:
        """Category, writer and language of `text` (see data/knowledge/danger.yml)."""
        readings = fold_variants(text or "")
        language = guess_language(text or "", readings[0])
        young = any(self._young(r) for r in readings)
        defused: Optional[str] = None
        for reading in readings:
            plain = self._without_idioms(reading)
            for category, patterns in self.categories:
                if not any(p.search(plain) for p in patterns):
                    continue
                framing = self._framing(plain, category)
                if framing is None:
                    return Assessment(category, young, language, source="pattern")
                defused = defused or framing
            if self.urgent_with_cue(plain):
                framing = self._framing(plain, URGENT)
                if framing is None:
                    return Assessment(URGENT, young, language, source="pattern")
        voted = self._model_vote(readings[0])
        if voted and not defused:
            return Assessment(voted, young, language, source="model")
        # A marker in a language the bot cannot read, or alone: "112", "SOS", "Hilfe!".
        short = len(re.findall(r"\w+", readings[0])) <= 2
        if language == "other" and any(_any(self.markers, r) for r in readings):
            return Assessment(FOREIGN, young, language, source="pattern")
        if short and any(_any(self.markers + self.short_markers, r) for r in readings):
            return Assessment(FOREIGN, young, language, source="pattern")
        return Assessment(None, young, language, defused)

    def match(self, text: str) -> Optional[str]:
        """The category of danger in `text`, or None."""
        return self.assess(text).category

    def benign_idiom(self, text: str) -> Optional[str]:
        """The idiom that explains the alarming words of `text`, or None."""
        for reading in fold_variants(text or ""):
            for pattern in self.idioms:
                found = pattern.search(reading)
                if found:
                    return found[0]
        return None

    def urgent_with_cue(self, plain: str) -> bool:
        """An urgent word and a danger cue outside it ("do" in "what should I do" is no "dø")."""
        rest = plain
        for pattern in self.urgent:
            rest = pattern.sub(" ", rest)
        return rest != plain and _any(self.cues, rest)

    def cue(self, text: str) -> bool:
        """A word near danger outside any idiom: lets the classifier's guess stand."""
        return any(_any(self.cues, self._without_idioms(r)) for r in fold_variants(text or ""))

    def _model_vote(self, folded: str) -> Optional[str]:
        """The model's category, when a cue or a sign of any category backs it up.

        The classifier never decides alone: without a word near danger it is not asked.
        Any category's sign backs a vote, because the writer may name one thing ("han
        ligger på gulvet") while the model reads another ("svarer ikke": unconscious).
        The text is read without idioms; a message framed as over or general gets none.
        """
        plain = self._without_idioms(folded)
        if (self.model is None or len(_WORD.findall(plain)) < 3  # "farvel" alone is none
                or _any(self.fiction, folded)):
            return None
        if not _any(self.cues + self.weak_cues, plain) and not any(
                _any(signs, plain) for signs in self.signs.values()):
            return None  # nothing backs a vote: the model is not asked
        vote = self.model.vote(plain)
        if vote is None or self._framing(plain, vote.category) is not None:
            return None
        return vote.category

    def _without_idioms(self, folded: str) -> str:
        for pattern in self.idioms:
            folded = pattern.sub(" ", folded)
        return folded

    def _framing(self, folded: str, category: str) -> Optional[str]:
        """"over" or "general" when the message is framed so and nothing says "now"."""
        if _any(self.present, folded):
            return None
        if _any(self.over, folded):
            return "over"
        if _any(self.general, folded) or (
                category not in _FIRST_AID and _any(self.questions, folded)):
            return "general"
        return None

    def _young(self, folded: str) -> bool:
        if _any(self.young[:2], folded):  # an age or a school class: "jeg er 13"
            return True
        return not _any(self.parent, folded) and _any(self.young[2:], folded)


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


_UPPER_CLASS = re.compile(r"\\[WSDB]")


def _compile(regex: Any, where: str, path: Path) -> re.Pattern[str]:
    if _UPPER_CLASS.search(str(regex)):
        # Patterns are lower-cased with the text: \W would silently become \w.
        raise DangerPatternError(f"{path}: pattern {regex!r} in '{where}' uses \\W, \\S, "
                                 "\\D or \\B; write [^\\w], [^\\s] or [^\\d] instead")
    try:
        return re.compile(fold_letters(str(regex)))
    except re.error as error:
        raise DangerPatternError(
            f"{path}: pattern {regex!r} in '{where}' is not a valid regex: {error}"
        ) from error


def _compile_all(regexes: Any, where: str, path: Path) -> Tuple[re.Pattern[str], ...]:
    if regexes is None:
        return ()
    if not isinstance(regexes, list):
        raise DangerPatternError(f"{path}: '{where}' must be a list of regexes")
    return tuple(_compile(r, where, path) for r in regexes)


def _categories(raw: Dict[str, Any], path: Path
                ) -> Tuple[List[Tuple[str, Tuple[re.Pattern[str], ...]]], Dict[str, str]]:
    groups = raw.get("categories")
    if not isinstance(groups, dict) or not groups:
        raise DangerPatternError(f"{path}: 'categories' must map category ids to patterns")
    compiled, titles = [], {}
    for category, spec in groups.items():
        if not isinstance(spec, dict) or not spec.get("patterns"):
            raise DangerPatternError(f"{path}: category '{category}' needs 'patterns'")
        compiled.append((str(category), _compile_all(spec["patterns"], str(category), path)))
        titles[str(category)] = str(spec.get("title") or category)
    return compiled, titles


def _signs(raw: Any, categories: Iterable[str], path: Path
           ) -> Dict[str, Tuple[re.Pattern[str], ...]]:
    if raw is None:
        return {}
    known = set(categories)
    if not isinstance(raw, dict) or not set(map(str, raw)) <= known:
        raise DangerPatternError(f"{path}: 'signs' must map category ids "
                                 f"({', '.join(sorted(known))}) to regex lists")
    return {str(c): _compile_all(regexes, f"signs.{c}", path) for c, regexes in raw.items()}


def _flat(groups: Any, where: str, path: Path) -> Iterable[Any]:
    if groups is not None and not isinstance(groups, dict):
        raise DangerPatternError(f"{path}: '{where}' must map names to regex lists")
    return [r for regexes in (groups or {}).values() for r in (regexes or [])]


@lru_cache(maxsize=4)
def _trained(paths: Tuple[Path, ...], stamps: Tuple[float, ...],
             threshold: float) -> DangerModel:
    """One model per set of example files as they are now (`stamps`: their mtimes)."""
    return DangerModel.cached(paths, threshold, fold, PROJECT_ROOT / "build" / "danger-model")


def _model(raw: Any, path: Path) -> Optional[DangerModel]:
    if not raw:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("examples"), list):
        raise DangerPatternError(f"{path}: 'classifier' needs 'examples' (file names)")
    paths = tuple(path.parent / str(name) for name in raw["examples"])
    try:
        stamps = tuple(p.stat().st_mtime for p in paths)
        return _trained(paths, stamps, float(raw.get("threshold", 0.5)))
    except (OSError, ValueError, DangerExamplesError) as error:
        raise DangerPatternError(f"{path}: the danger classifier: {error}") from error


def _with_snippets(value: Any, snippets: Dict[str, str], path: Path) -> Any:
    """`value` with every <name> of `snippets` written out, in strings at any depth."""
    if isinstance(value, list):
        return [_with_snippets(v, snippets, path) for v in value]
    if isinstance(value, dict):
        return {k: _with_snippets(v, snippets, path) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    unknown = sorted(set(re.findall(r"<(\w+)>", value)) - set(snippets))
    if unknown:
        raise DangerPatternError(f"{path}: no snippet named <{unknown[0]}> (in {value!r})")
    return re.sub(r"<(\w+)>", lambda found: snippets[found[1]], value)


def load_patterns(path: Path) -> DangerCheck:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DangerPatternError(f"{path}: cannot read danger patterns: {error}") from error
    snippets = raw.pop("snippets", None) or {}
    if not isinstance(snippets, dict):
        raise DangerPatternError(f"{path}: 'snippets' must map names to regex pieces")
    raw = _with_snippets(raw, {str(k): str(v) for k, v in snippets.items()}, path)
    categories, titles = _categories(raw, path)
    not_danger = raw.get("not_danger") or {}
    writer = raw.get("writer") or {}
    young = writer.get("young") or []
    if len(young) < 3:
        raise DangerPatternError(f"{path}: 'writer.young' needs the age, class and "
                                 "relation patterns (at least 3)")
    return DangerCheck(
        tuple(categories), titles,
        markers=_compile_all(list(_flat(raw.get("foreign_markers"), "foreign_markers", path)),
                             "foreign_markers", path),
        short_markers=_compile_all(raw.get("short_markers"), "short_markers", path),
        idioms=_compile_all(not_danger.get("idioms"), "not_danger.idioms", path),
        over=_compile_all(not_danger.get("over"), "not_danger.over", path),
        general=_compile_all(not_danger.get("general"), "not_danger.general", path),
        fiction=_compile_all(not_danger.get("fiction"), "not_danger.fiction", path),
        questions=_compile_all(not_danger.get("questions"), "not_danger.questions", path),
        present=_compile_all(not_danger.get("present"), "not_danger.present", path),
        cues=_compile_all(raw.get("cues"), "cues", path),
        weak_cues=_compile_all(raw.get("weak_cues"), "weak_cues", path),
        signs=_signs(raw.get("signs"), (c for c, _ in categories), path),
        urgent=_compile_all(raw.get("urgent"), "urgent", path),
        young=_compile_all(young, "writer.young", path),
        parent=_compile_all(writer.get("parent"), "writer.parent", path),
        model=_model(raw.get("classifier"), path),
    )
