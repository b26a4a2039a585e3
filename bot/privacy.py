"""Danish personal data in a message: CPR numbers, phone numbers, e-mails, child names.

`find_personal_data` returns what it found and where; `redact` replaces each finding
with a typed placeholder such as `[CPR]`. A CPR number is ddmmyy-ssss with a real date;
the dash may be a space, an en dash or left out, and the date may be written with spaces
or dots. Modulus 11 no longer holds for every number issued since 2007, so it is not
checked. Child names ("min søn Oliver") are a separate level, off unless asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import FrozenSet, List, Tuple

from bot.text import danish_stop_words

CPR = "CPR"
PHONE = "TELEFON"
EMAIL = "EMAIL"
NAME = "NAVN"
PLACEHOLDERS = {CPR: "[CPR]", PHONE: "[TELEFON]", EMAIL: "[EMAIL]", NAME: "[NAVN]"}

_CPR = re.compile(
    r"(?<![\d])(\d{2})([ .]?)(\d{2})\2(\d{2})\s?[-–—]?\s?(\d{4})(?![\d])"
)
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
# Danish numbers as people write them: 22334455, 22 33 44 55, 22-33-44-55, 22.33.44.55,
# 2233 4455, with or without +45 / 0045. Dates (12-03-2015, 12.03.2015) and year spans
# (2023-2024) do not have these groupings.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s?45[\s\-]?)?"
    r"(?:\d{8}|\d{2}([ \-.])\d{2}\1\d{2}\1\d{2}"
    r"|(?!(?:19|20)\d\d-(?:19|20)\d\d)\d{4}[ \-]\d{4})(?![\d])"
)
_CHILD = (
    r"(?:søn(?:nen)?|datter(?:en)?|dreng(?:en)?|pige(?:n)?|lille\s+pige|lille\s+dreng|"
    r"barn(?:et)?|baby|lillebror|lillesøster|storebror|storesøster|plejesøn|plejedatter)"
)
_NAME_WORD = r"[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?"
_CHILD_NAME = re.compile(
    rf"\b(?i:(?:min|mit|vores|hans|hendes)\s+(?:lille\s+|store\s+|ældste\s+|yngste\s+)?"
    rf"{_CHILD})(?:s\s+navn\s+er|\s+hedder|\s+der\s+hedder)?,?\s+"
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?|[a-zæøå]{{3,}})\b"
)
# A lower-case word after "min søn" is taken for a name unless it looks like a verb
# (present -er, passive -es, past -ede/-te, participle -ende) or is listed below.
_VERB_ENDING = re.compile(r"(er|es|ede|te|ende)$")
# Words that follow "min søn" without being a name ("min søn har", "min søn græder").
_NOT_NAMES = frozenset({
    "har", "er", "var", "bliver", "blev", "skal", "vil", "kan", "må", "går", "gik", "får",
    "fik", "siger", "sagde", "græder", "ville", "kunne", "skulle", "gider", "tør",
    "og", "eller", "men", "som", "der", "på", "i", "med", "til", "fra", "om", "efter",
    "hjemme", "ikke", "også", "altid", "aldrig", "nu", "stadig", "igen", "lige", "bare",
    "virkelig", "meget", "helt", "tit", "ofte", "sover", "spiser", "leger", "mangler",
    "trives", "hader", "elsker", "synes", "tror", "føler", "ved", "sidder", "ligger",
    "står", "kommer", "kom", "skriver", "råber", "slår", "driller", "laver", "spiller",
    "bor", "gør", "gjorde", "begyndte", "startede", "starter", "begynder", "mistede",
})


@dataclass(frozen=True)
class Finding:
    type: str
    start: int
    end: int
    value: str


def _real_date(day: str, month: str, year: str) -> bool:
    for century in (1900, 2000):  # 29 February needs a leap year in one of them
        try:
            date(century + int(year), int(month), int(day))
            return True
        except ValueError:
            continue
    return False


def _free(span: Tuple[int, int], taken: List[Finding]) -> bool:
    return all(span[1] <= f.start or span[0] >= f.end for f in taken)


def find_personal_data(text: str, names: bool = False) -> List[Finding]:
    """CPR numbers, e-mails, phone numbers and (with `names`) child names, in order."""
    text = text or ""
    found: List[Finding] = []
    for match in _CPR.finditer(text):
        if _real_date(match[1], match[3], match[4]):
            found.append(Finding(CPR, match.start(), match.end(), match[0]))
    for match in EMAIL_PATTERN.finditer(text):
        if _free(match.span(), found):
            found.append(Finding(EMAIL, match.start(), match.end(), match[0]))
    for match in _PHONE.finditer(text):
        if _free(match.span(), found):
            found.append(Finding(PHONE, match.start(), match.end(), match[0]))
    if names:
        for match in _CHILD_NAME.finditer(text):
            name = match["name"]
            if name.islower() and (name in _NOT_NAMES or _VERB_ENDING.search(name)
                                   or name in danish_stop_words()):
                continue
            span = match.span("name")
            if _free(span, found):
                found.append(Finding(NAME, span[0], span[1], name))
    return sorted(found, key=lambda f: f.start)


def redact(text: str, names: bool = False) -> str:
    """The text with every finding replaced by its placeholder ("[CPR]", ...)."""
    result, position = [], 0
    for finding in find_personal_data(text, names):
        result.append(text[position : finding.start])
        result.append(PLACEHOLDERS[finding.type])
        position = finding.end
    result.append((text or "")[position:])
    return "".join(result)


def contains_cpr(text: str) -> bool:
    """True when `text` holds something shaped like a CPR number with a real date."""
    return any(f.type == CPR for f in find_personal_data(text))


def contact_key(finding: Finding) -> str:
    """A phone number's last eight digits or a lower-case e-mail: to compare contacts."""
    if finding.type == PHONE:
        return re.sub(r"\D", "", finding.value)[-8:]
    return finding.value.lower()


def notice_types(text: str, intent: str, in_callback_form: bool, asking: str = "",
                 public: FrozenSet[str] = frozenset()) -> List[str]:
    """What the bot should tell the parent it did not store, in the order found.

    Nothing when the message is about acute danger (112 comes first and alone). Inside
    the callback form a phone number or e-mail is the contact detail the form asks for
    (kept, with consent), and a CPR number in the description gets the form's own
    reply, so only a CPR number elsewhere in the form is mentioned. The municipality's
    own published numbers and addresses (`public`, see `contact_key`) are kept, so they
    are not mentioned either.
    """
    if intent == "acute_danger":
        return []
    types: List[str] = []
    for finding in find_personal_data(text):
        if finding.type in types:
            continue
        if finding.type in (PHONE, EMAIL) and contact_key(finding) in public:
            continue
        if in_callback_form and (finding.type != CPR or asking == "callback_description"):
            continue
        types.append(finding.type)
    return types


def without_personal_data(text: str) -> str:
    """The text with CPR numbers, phone numbers and e-mails left out (for the classifier).

    The models never need the digits or the address to understand the question, and a
    number in an unusual grouping would only unsettle them.
    """
    result, position = [], 0
    for finding in find_personal_data(text):
        result.append(text[position : finding.start])
        position = finding.end
    result.append((text or "")[position:])
    return " ".join("".join(result).split())
