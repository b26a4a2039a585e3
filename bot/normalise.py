"""One text normalisation for every check that reads what a person wrote.

People in a hurry, and people who want to slip past a filter, write the same word in
many ways: "ｓｌåｒ" (fullwidth), "s.l.å.r", "s e l v m o r d", "selvm0rd", "f0rsvundet",
"sl\u200bår" (a zero-width space), "slåååår", Cyrillic "о" for a Latin "o". `normalise`
maps all of them onto one plain lower-case form:

1. Unicode NFKC (fullwidth and compatibility forms become plain letters);
2. invisible format characters (zero-width space and joiners, word joiner, soft
   hyphen, bidi marks) are removed;
3. lower case;
4. look-alike Cyrillic and Greek letters inside a word that also has Latin letters
   become Latin (a word written wholly in Cyrillic, Ukrainian say, is left alone);
5. three or more single letters or digits separated by dots, dashes, stars, slashes
   or spaces are joined ("s.l.å.r" -> "slår");
6. leetspeak digits and signs inside a word become letters ("selvm0rd" -> "selvmord");
7. a letter repeated three or more times counts once ("slåååår" -> "slår");
8. runs of white space become one space.

`variants` gives the normalised text and, when a "1" stood for a letter, the reading
with "l" as well as the one with "i" ("se1vmord", "1ihjel").
"""

from __future__ import annotations

import re
import unicodedata
from typing import List

# Cyrillic and Greek letters that look like Latin ones (lower case, after NFKC).
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "α": "a", "β": "b", "ε": "e", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ѵ": "v",
})
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"}
_LATIN = re.compile(r"[a-zæøåäöüéèáàíóúñçß]")
_MIXED_WORD = re.compile(r"\w*[^\W\d_a-zæøåäöüéèáàíóúñçß]\w*")
# Single characters with separators between them: "s.l.å.r", "s e l v m o r d".
_SPACED = re.compile(  # the same separator throughout: "a g.u.n" is "a gun"
    r"(?<![^\W_])[^\W_]([ .\-_*·•/|+~,:]{1,3})[^\W_](?![^\W_])(?:\1[^\W_](?![^\W_]))+"
)
_SEPARATORS = re.compile(r"[ .\-_*·•/|+~,:]")
# A leet character inside a word: a letter on one side, a letter or leet on the other.
# Not a number before a unit or an ordinal: "5år", "3dje", "7ende".
_LEET_IN_WORD = re.compile(
    r"(?<=[^\W\d_])[013457@]+(?=[^\W\d_])|(?<=[^\W\d_]{2})[013457]+\b"
    r"|\b[013457](?=[^\W\d_]{3})(?!år|aar|års|årig|ende|dje|ste\b|te\b|de\b|kl)"
)
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})


def printable(text: str) -> str:
    """`text` safe for every later step and every store: a surrogate pair held as two
    code points becomes its character, an unpaired one (JSON's "\\ud800", which spaCy
    and UTF-8 encoders refuse) U+FFFD; NUL and other control characters but tab and
    line breaks go. Everything else (emoji, æøå, zero-width characters) is kept."""
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", text)


def _visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _latin_lookalikes(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        word = match[0]
        return word.translate(_CONFUSABLES) if _LATIN.search(word) else word

    return _MIXED_WORD.sub(fix, text)


def _join_spaced(text: str) -> str:
    return _SPACED.sub(lambda m: _SEPARATORS.sub("", m[0]), text)


def _unleet(text: str, one: str) -> str:
    table = {**_LEET, "1": one}
    return _LEET_IN_WORD.sub(lambda m: "".join(table[c] for c in m[0]), text)


def _base(text: str) -> str:
    text = unicodedata.normalize("NFKC", printable(text or ""))
    text = _visible(text).lower().translate(_QUOTES)
    text = _latin_lookalikes(text)
    return _join_spaced(text)


def _finish(text: str) -> str:
    return " ".join(_REPEATS.sub(r"\1", text).split())


def normalise(text: str) -> str:
    """The one plain form of `text` that every check reads (see the module doc)."""
    return _finish(_unleet(_base(text), "i"))


def variants(text: str) -> List[str]:
    """`normalise(text)`, and the reading with "1" as "l" when it differs."""
    base = _base(text)
    first = _finish(_unleet(base, "i"))
    second = _finish(_unleet(base, "l"))
    return [first] if second == first else [first, second]
