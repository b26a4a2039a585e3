"""Pure text helpers: input checks before NLU, HTML stripping, folding for patterns."""

from __future__ import annotations

import functools
import html
import re
from typing import Collection, FrozenSet, Iterable, List, Optional, Set, Tuple

from bot.normalise import normalise, variants

# Key of the parse data that names an input problem (set by InputGuard).
INPUT_PROBLEM = "input_problem"

_TAG = re.compile(r"<[^>]{0,200}>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTERS = re.compile(r"[^\W\d_]+")  # every run of letters, one letter too
_FOLDS = (("aa", "a"), ("å", "a"), ("ae", "a"), ("æ", "a"), ("ä", "a"),
          ("oe", "o"), ("ø", "o"), ("ö", "o"))


@functools.lru_cache(maxsize=1)
def _stop_words() -> Tuple[FrozenSet[str], FrozenSet[str], FrozenSet[str]]:
    """Danish stop words, English-only and Danish-only ones (spaCy is loaded on use)."""
    from spacy.lang.da.stop_words import STOP_WORDS as DANISH
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH

    english_only = frozenset(ENGLISH - DANISH) - {"i", "a", "to"}
    danish_only = frozenset(DANISH - ENGLISH) | {
        "hvad", "hvordan", "hvem", "barn", "børn", "søn", "datter", "kommune", "hjælp",
    }
    return frozenset(DANISH), english_only, danish_only


def danish_stop_words() -> FrozenSet[str]:
    """spaCy's Danish stop words, lower case (loaded on first use)."""
    return _stop_words()[0]


def strip_html(text: str) -> str:
    """Remove script/style blocks and tags; a parent's words stay, markup goes."""
    without_scripts = _SCRIPT.sub(" ", text)
    return html.unescape(_TAG.sub(" ", without_scripts))


def fold_letters(text: str) -> str:
    """Lower-case and fold Danish letters and their ASCII spellings onto one form
    (for patterns, which must keep their regex syntax)."""
    folded = text.lower()
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    return " ".join(folded.split())


def fold(text: str) -> str:
    """`bot.normalise.normalise`, then Danish letters folded: the form checks compare."""
    return fold_letters(normalise(text))


def fold_variants(text: str) -> List[str]:
    """`fold` of each reading of `text` (see `bot.normalise.variants`)."""
    return [fold_letters(v) for v in variants(text)]


# How a question starts, over the folded text: "hvad ...", "og hvem ...", "gælder ...".
_QUESTION_START = re.compile(r"^[^\w]*(og\s+|men\s+|and\s+|but\s+)?(hvem|hvad|hvor|hvorfor|"
                             r"hvornar|hvordan|hvilken|hvilke|er|kan|ma|skal|galder|har|findes|"
                             r"what|who|how|why|when|where|which|does|do|can|is|are)\b")
# A short question that leans on what came before: "hvorfor er det vigtigt?", "hvor
# finder jeg så rammerne for hende?", "hvem står bag den?".
_BACK_WORDS = re.compile(r"\b(det|den|dem|de|deres|dens|sa|hende|ham|der|"
                         r"it|that|this|them|they|there)\b")


def starts_as_question(text: str) -> bool:
    """ "Hvad er ...", "Og hvem ...", "Gælder det ...": the text opens with a question word."""
    return _QUESTION_START.match(fold(text or "").strip()) is not None


def points_back(text: str, max_words: int) -> bool:
    """A question of at most `max_words` words with a word that points back."""
    folded = fold(text or "").strip()
    return (len(folded.split()) <= max_words and starts_as_question(folded)
            and _BACK_WORDS.search(folded) is not None)


# "Gælder det også voksne?", "og gælder den også i børnehaven?": about the last answer.
_APPLIES_TOO = re.compile(r"^[^\w]*(og\s+|men\s+)?galder\s+(det|den|de|dette)\b")


def asks_if_it_applies_too(text: str, max_words: int) -> bool:
    """ "Gælder det også ...?" in at most `max_words` words: the last answer's scope."""
    folded = fold(text or "").strip()
    return len(folded.split()) <= max_words and _APPLIES_TOO.search(folded) is not None


def words(text: str) -> List[str]:
    """The folded words of `text` (letters only, two or more)."""
    return [fold(w) for w in _WORD.findall(text)]


def vocabulary(texts: Iterable[str]) -> Set[str]:
    """Folded words of `texts` plus Danish stop words: what the bot has seen."""
    known = {fold(w) for w in _stop_words()[0]}
    for text in texts:
        known.update(words(text))
    return known


def known_words_ratio(text: str, known: Collection[str]) -> Optional[float]:
    """Share of the words of `text` in `known`; None for a text without words."""
    found = words(strip_html(text))
    if not found:
        return None
    return sum(w in known for w in found) / len(found)


def looks_english(text: str) -> bool:
    lowered = [w.lower() for w in _WORD.findall(text)]
    if len(lowered) < 3:
        return False
    _, english_only, danish_only = _stop_words()
    english = sum(w in english_only for w in lowered)
    danish = sum(w in danish_only or any(c in w for c in "æøå") for w in lowered)
    return english >= 2 and english > 2 * danish



# Very common Danish words (folded): a message with none of them is not read as Danish.
_DANISH = frozenset({"jeg", "ikke", "ik", "og", "min", "mit", "mine", "mig", "hun", "han",
                     "har", "det", "pa", "til", "hvad", "hvordan", "son", "datter", "barn",
                     "hjalp", "med", "af", "som", "vores", "hans", "hendes", "vil",
                     "kan", "skal", "der", "hvem", "hvor", "ham", "hende", "os", "mor",
                     "far", "bornene", "born", "lige", "ikk", "er", "stadig", "efter", "fra",
                     "skolen", "kl"})


def guess_language(text: str, folded: str) -> str:
    """"en", "da" or "other" (a language the bot cannot read) for `text`, folded as `folded`."""
    if looks_english(text):
        return "en"
    words = _LETTERS.findall(folded)
    danish = sum(w in _DANISH for w in words)
    if not words or danish >= 2 or (danish and len(words) <= 3):
        return "da"
    return "other"

def inspect_input(text: Optional[str], max_chars: int) -> Optional[str]:
    """Name the problem with a message the bot cannot answer normally, or None.

    "too_long" over `max_chars`; "empty" for nothing but blanks; "markup" for
    nothing but HTML tags or scripts;
    "no_words" for emoji, digits or symbols alone; "english" for English text.
    """
    if text is None:
        return "empty"
    if len(text) > max_chars:
        return "too_long"
    if not text.strip():
        return "empty"
    visible = strip_html(text).strip()
    if not visible:
        return "markup"
    if not _WORD.search(visible):
        return "no_words"
    if looks_english(normalise(visible)):
        return "english"
    return None
