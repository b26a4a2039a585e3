"""The callback request: reading the parent's answers, corrections and reference numbers.

Pure functions; the form's actions (`actions/callback.py`) call them and turn the
results into slots and replies.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Optional

from bot.privacy import EMAIL_PATTERN, contains_cpr
from bot.text import starts_as_question, strip_html

# Slots of the form, in the order the parent is asked.
DESCRIPTION = "callback_description"
NAME = "callback_name"
REACH = "callback_reach"  # a phone number or an e-mail address
CONSENT = "callback_consent"
FORM_SLOTS = (DESCRIPTION, NAME, REACH, CONSENT)

DESCRIPTION_MIN_CHARS = 3
DESCRIPTION_MAX_CHARS = 1000
NAME_MAX_CHARS = 80

# Questions: let through at the name, phone and consent steps, then back to the form.
QUESTION_INTENTS_PREFIX = "faq_"
QUESTION_INTENTS = frozenset(
    {"request_person", "out_of_scope", "bot_challenge", "express_worry", "request_callback",
     "ask_privacy", "ask_followup"}
)
QUESTION_CONFIDENCE = 0.6

_PHONE = re.compile(r"(?<![\d+])((?:\+|00)\s?45[\s\-.]*)?((?:\d[\s\-.]*){7}\d)(?![\d])")
_FOREIGN_PREFIX = re.compile(r"(\+|00)\d{1,3}[\s\-.]*$")
_NAME_PREFIX = re.compile(
    r"^\s*(jeg\s+hedder|mit\s+navn\s+er|navnet\s+er|det\s+er|navn\s*:|jeg\s+er)\s+",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[\s\-'.][^\W\d_]+)*\.?$")
_STOP_CUE = re.compile(
    r"\b(stop\w*|glem|annull?er\w*|annulere|afbryd\w*|fortryd\w*|aflys\w*|drop|"
    r"hold\s+op|ikke\s+alligevel|skiftet\s+mening|lad\s+være|ud\s+af\s+det)\b"
)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
_STOP = re.compile(
    r"^\s*(stop+|stands|afbryd|annuller|fortryd|glem\s+det|glem\s+det\s+hele|"
    r"jeg\s+fortryder|nej\s+stop|stop\s+stop)\s*[.!]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reach:
    """How the parent wants to be contacted: a phone number and/or an e-mail."""

    phone: Optional[str] = None  # +45 and eight digits
    email: Optional[str] = None

    @property
    def display(self) -> str:
        if self.phone:
            digits = self.phone[3:]
            return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        return self.email or ""

    def as_slot(self) -> str:
        return self.phone or self.email or ""


def is_stop(text: str) -> bool:
    """A short stop word on its own ("stop", "glem det"): never a name or an answer."""
    return bool(_STOP.match(text or ""))


def find_phone(text: str) -> Optional[str]:
    """A Danish phone number as +45XXXXXXXX: eight digits, with or without +45/0045.

    Laxer than `bot.privacy`'s detector on purpose: here the parent is answering "which
    number?", so any grouping of eight digits counts; in free text only the usual
    groupings do, so that dates and case numbers are not taken for phone numbers.
    """
    text = text or ""
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match[2])
        foreign = not match[1] and _FOREIGN_PREFIX.search(text[: match.start()])
        if len(digits) == 8 and not foreign:
            return f"+45{digits}"
    return None


def find_email(text: str) -> Optional[str]:
    match = EMAIL_PATTERN.search(text or "")
    return match[0].lower() if match else None


def parse_reach(text: str) -> Optional[Reach]:
    phone, email = find_phone(text), find_email(text)
    if not phone and not email:
        return None
    return Reach(phone=phone, email=None if phone else email)


def reach_from_slot(value: Optional[str]) -> Optional[Reach]:
    if not value:
        return None
    return Reach(phone=value) if value.startswith("+45") else Reach(email=value)


def starts_own_path(text: str, intent: str) -> bool:
    """Stop, correction or danger: the form lets the message through to its rule.

    Danger always goes through. Stop and correction need a word that says so as well
    as the classifier's intent, so that a name such as "Mette Hansen" is never taken
    for a correction because the training data for corrections holds names.
    """
    if intent == "acute_danger" or is_stop(text):
        return True
    lowered = (text or "").lower()
    if intent == "stop_form":
        return bool(_STOP_CUE.search(lowered))
    if intent == "correct_callback":
        return bool(CORRECTION_WORDS.search(lowered)) or any(
            words.search(lowered) for _, words in _FIELD_WORDS
        )
    return False


def looks_like_question(text: str, intent: str, confidence: float) -> bool:
    """A question to the bot rather than an answer to the form."""
    if starts_own_path(text, intent):
        return True
    asked = text.strip().endswith("?") or starts_as_question(text)
    is_question_intent = intent.startswith(QUESTION_INTENTS_PREFIX) or intent in QUESTION_INTENTS
    return asked and is_question_intent and confidence >= QUESTION_CONFIDENCE


def clean_description(text: str) -> tuple[Optional[str], Optional[str]]:
    """(description, None) or (None, problem); problems: short, long, cpr."""
    cleaned = " ".join(strip_html(text or "").split())
    if len(cleaned) < DESCRIPTION_MIN_CHARS:
        return None, "short"
    if len(cleaned) > DESCRIPTION_MAX_CHARS:
        return None, "long"
    if contains_cpr(cleaned):
        return None, "cpr"
    return cleaned, None


def clean_name(text: str) -> Optional[str]:
    """'jeg hedder mette hansen' -> 'Mette Hansen'; None when it is not a name."""
    name = _NAME_PREFIX.sub("", " ".join(strip_html(text or "").split())).strip(" .,!")
    if len(name) < 2 or len(name) > NAME_MAX_CHARS or len(name.split()) > 6:
        return None
    if not _NAME_CHARS.match(name):
        return None
    if name.islower() or name.isupper():
        name = " ".join(part.capitalize() for part in name.split())
    return name


@dataclass(frozen=True)
class Correction:
    """Which answer the parent wants to change, and the new value if they gave it."""

    slot: Optional[str]
    value: Optional[str] = None


_FIELD_WORDS = (
    (REACH, re.compile(r"\b(nummer\w*|telefon\w*|tlf|mobil\w*|mail\w*|e-?mail\w*|adresse)\b")),
    (NAME, re.compile(r"\b(navn\w*|hedder|stavet)\b")),
    (DESCRIPTION, re.compile(r"\b(beskrivelse\w*|besked\w*|teksten|det\s+jeg\s+skrev\s+om)\b")),
)
CORRECTION_WORDS = re.compile(
    r"\b(ret|rette|retter|ændre|ændr|aendre|forkert|fejl|\w*fejl|skrev\s+forkert|"
    r"ikke\s+rigtig\w*|i\s+stedet|staves|tilføje|glemte|ciffer)\b"
)
_NEW_NAME = re.compile(
    r"(?:mit\s+navn\s+er|jeg\s+hedder|navnet\s+er|navnet\s+skal\s+være|"
    r"det\s+(?:er|skal\s+være))\s+([^\W\d_][^\d,.;!?]*)",
    re.IGNORECASE,
)


def find_correction(text: str) -> Correction:
    """The field a correction is about ("mit nummer er forkert, det er 22 33 44 55")."""
    lowered = (text or "").lower()
    reach = parse_reach(text)
    if reach:
        return Correction(REACH, reach.as_slot())
    for slot, words in _FIELD_WORDS:
        if words.search(lowered):
            value = None
            if slot == NAME:
                matches = list(_NEW_NAME.finditer(text))
                value = clean_name(matches[-1][1]) if matches else None
            return Correction(slot, value)
    return Correction(None)


def mentions_correction(text: str) -> bool:
    """A message at the consent step that asks to change an answer, not to cancel."""
    lowered = (text or "").lower()
    return bool(parse_reach(text)) or (
        bool(CORRECTION_WORDS.search(lowered))
        and any(words.search(lowered) for _, words in _FIELD_WORDS)
    )


def new_reference() -> str:
    """A reference a parent can read aloud: 'HK-7KM-4QX' (32^6, about a billion)."""
    chars = "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))
    return f"HK-{chars[:3]}-{chars[3:]}"
