"""Acute danger by category: the rule-based check that decides "Ring 112 nu".

`DangerCheck.assess` reads a message in the one normalised form of `bot.normalise`
(every reading of it) and says which category of emergency it describes, if any, who
is writing (a young person about themselves, or a parent) and in which language. The
categories, the idioms and framings that are no emergency, the foreign-language
markers and the classifier's cues live in `data/knowledge/danger.yml`, which says how
they combine; `bot.danger_file.load_patterns` reads it. Pure: no Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

from bot.danger_model import DangerModel
from bot.text import fold_variants, guess_language

FOREIGN = "foreign"  # the category of a message in another language with a marker
URGENT = "urgent"    # no category's pattern, but an urgent word with a danger cue
# "Hvad gør man, hvis ..." never defuses these: a parent may ask so while it happens.
_FIRST_AID = frozenset({"not_breathing", "unconscious", "seizure", "fall_injury",
                        "bleeding", "drowning", "burns", "allergy", "poisoning"})
_WORD = re.compile(r"[^\W\d_]+")
_TURN = re.compile(r"\b(men|but|though|although)\b")  # what follows outweighs a framing


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
    hedges: Tuple[re.Pattern[str], ...] = ()  # "han er okay": over, unless "men ..."
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
        if self._over(folded):
            return "over"
        if _any(self.general, folded) or (
                category not in _FIRST_AID and _any(self.questions, folded)):
            return "general"
        return None

    def _over(self, folded: str) -> bool:
        """Framed as over or handled ("sidste år"); or reassured ("han er okay"), unless
        a "men" or "but" after the reassurance brings danger back: "han er okay tror
        jeg, men der kommer klar væske ud af hans øre", "it stopped but she's not waking
        up"."""
        if _any(self.over, folded):
            return True
        for pattern in self.hedges:
            for found in pattern.finditer(folded):
                turn = _TURN.search(folded, found.end())
                if turn is None or not self._alarming(folded[turn.end():]):
                    return True
        return False

    def _alarming(self, folded: str) -> bool:
        """A pattern of any category, or a sign of a first-aid one, in a clause that is
        not itself framed as over ("men hun er fin nu")."""
        if _any(self.over, folded):
            return False
        return (any(_any(patterns, folded) for _, patterns in self.categories)
                or any(_any(self.signs.get(c, ()), folded) for c in _FIRST_AID))

    def _young(self, folded: str) -> bool:
        if _any(self.young[:2], folded):  # an age or a school class: "jeg er 13"
            return True
        return not _any(self.parent, folded) and _any(self.young[2:], folded)


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)
