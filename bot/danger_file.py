"""Reading `data/knowledge/danger.yml` into a `bot.danger.DangerCheck`.

Every regex is compiled with the letters folded as the text is (`bot.text.fold_letters`),
snippets (`<until_new_event>`) are written out first, and anything malformed is a
`DangerPatternError` that names the file and the place. The classifier is trained once
per set of example files as they are (`bot.danger_model`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from bot.danger import DangerCheck
from bot.danger_model import DangerExamplesError, DangerModel
from bot.settings import PROJECT_ROOT
from bot.text import fold, fold_letters


class DangerPatternError(ValueError):
    """The danger pattern file is malformed."""


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
        hedges=_compile_all(not_danger.get("hedges"), "not_danger.hedges", path),
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
