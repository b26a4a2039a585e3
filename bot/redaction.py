"""Redaction of conversation events before they are stored, streamed or logged.

Two kinds of personal data are removed:

- what `bot.privacy` detects in any text: CPR numbers, phone numbers, e-mails and (a
  separate level) a child's name after "min søn" and the like, replaced by `[CPR]`,
  `[TELEFON]`, `[EMAIL]`, `[NAVN]`;
- the values of *private slots* (the callback form's name and phone/e-mail), wherever
  they occur as written: the answer the parent typed, the bot's summary that repeats it.
  A parent's own name cannot be detected in free text, but it is known once the form
  has accepted it. The slot value itself is sealed (encrypted) by `SlotCipher`, so the
  form still works on the next turn while the stored row holds no readable value.

Everything here is pure; `bot.tracker_store` applies it where events are written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional

from cryptography.fernet import Fernet, InvalidToken

from bot.privacy import EMAIL, NAME, PHONE, PLACEHOLDERS, contact_key, find_personal_data

# Keys of an event that name things (actions, intents, slots) or are machine values;
# never personal data, and left as they are so that the event stays readable.
_EVENT_KEYS_KEPT = frozenset({
    "event", "timestamp", "name", "policy", "confidence", "input_channel", "message_id",
})
# Inside parse data: the classifier's verdict, kept for analysis.
_PARSE_KEYS_KEPT = frozenset({"intent", "intent_ranking"})
SEALED_PREFIX = "sealed:v1:"
_SEPARATORS = r"[\s.\-]*"


@dataclass(frozen=True)
class PrivateValue:
    """A value the parent gave on purpose (name, phone, e-mail) and how to find it."""

    pattern: re.Pattern
    placeholder: str


def private_value(value: Any) -> Optional[PrivateValue]:
    """How to find `value` in text as people write it; None when it cannot be found.

    A phone number matches with any spacing and with or without +45; an e-mail in any
    letter case; anything else is taken for a name, matched as whole words in any case.
    """
    if not isinstance(value, str) or len(value.strip()) < 2:
        return None
    text = value.strip()
    found = find_personal_data(text)
    whole = found[0] if len(found) == 1 and found[0].value == text else None
    if whole is not None and whole.type == PHONE:
        digits = re.sub(r"\D", "", text)[-8:]
        pattern = (r"(?<![\d])(?:(?:\+|00)\s?45" + _SEPARATORS + ")?"
                   + _SEPARATORS.join(digits) + r"(?![\d])")
        return PrivateValue(re.compile(pattern), PLACEHOLDERS[PHONE])
    if whole is not None and whole.type == EMAIL:
        return PrivateValue(re.compile(re.escape(text), re.IGNORECASE), PLACEHOLDERS[EMAIL])
    words = [re.escape(word) for word in text.split()]
    return PrivateValue(re.compile(r"\b" + r"\s+".join(words) + r"\b", re.IGNORECASE),
                        PLACEHOLDERS[NAME])


def public_contact_keys(phones: Iterable[str], emails: Iterable[str]) -> FrozenSet[str]:
    """The municipality's published numbers and addresses, in the form `Redactor` keeps."""
    keys = {re.sub(r"\D", "", phone)[-8:] for phone in phones if phone}
    return frozenset(keys | {email.lower() for email in emails if email})


class Redactor:
    """Replaces personal data in texts and in the strings of an event's dict.

    `public` holds the contact directory's own phone numbers and e-mails (see
    `public_contact_keys`): the bot gives them out, they are nobody's private data,
    and they stay readable in the stored replies.
    """

    def __init__(self, names: bool = True, private: Iterable[PrivateValue] = (),
                 public: FrozenSet[str] = frozenset()) -> None:
        self.names = names
        # Longest first, so "Mette Hansen" goes before a shorter "Mette".
        self.private = sorted(private, key=lambda p: -len(p.pattern.pattern))
        self.public = public

    def text(self, text: str) -> str:
        for value in self.private:
            text = value.pattern.sub(value.placeholder, text)
        result, position = [], 0
        for finding in find_personal_data(text, names=self.names):
            if finding.type in (PHONE, EMAIL) and contact_key(finding) in self.public:
                continue
            result.append(text[position:finding.start])
            result.append(PLACEHOLDERS[finding.type])
            position = finding.end
        result.append(text[position:])
        return "".join(result)

    def finds_private(self, text: str) -> bool:
        return any(value.pattern.search(text) for value in self.private)

    def answer(self, text: str, placeholder: str) -> str:
        """A message that answered a private question (the name, the number).

        Stored redacted when it holds the value the form accepted ("jeg hedder [NAVN]");
        otherwise, as when the form could not read it, as `placeholder` alone.
        """
        return self.text(text) if self.finds_private(text) else placeholder

    def value(self, value: Any) -> Any:
        """Strings redacted, containers walked; numbers, booleans and None as they are."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value

    def event(self, data: Dict[str, Any], private_slots: FrozenSet[str] = frozenset(),
              cipher: Optional[SlotCipher] = None, answer: Optional[str] = None
              ) -> Dict[str, Any]:
        """A redacted copy of an event's dict (`Event.as_dict()`); the input is unchanged.

        The value of a private slot is sealed with `cipher` (or replaced by its
        placeholder without one); other slot values (ids such as `last_section`, the
        description) get the detector's redaction only; every other string is redacted.
        `answer`: this user message answered a private question; see `Redactor.answer`.
        """
        if data.get("event") == "slot":
            value = data.get("value")
            if value is None:
                return dict(data)
            if data.get("name") in private_slots:
                sealed = cipher.seal(value) if cipher else self.answer(str(value), "[PRIVAT]")
                return {**data, "value": sealed}
            return {**data, "value": Redactor(self.names, public=self.public).value(value)}
        result: Dict[str, Any] = {}
        for key, item in data.items():
            if key in _EVENT_KEYS_KEPT:
                result[key] = item
            elif key == "text" and answer and isinstance(item, str):
                result[key] = self.answer(item, answer)
            elif key == "parse_data" and isinstance(item, dict):
                result[key] = {
                    k: v if k in _PARSE_KEYS_KEPT
                    else self.answer(v, answer) if k == "text" and answer and isinstance(v, str)
                    else self.value(v)
                    for k, v in item.items()
                }
            else:
                result[key] = self.value(item)
        return result


_PROCESS_KEY: List[bytes] = []


def _process_key() -> bytes:
    """One random key for the whole process, made on first use: a model swapped in
    through the HTTP API builds a new conversation store, and it must still open the
    values the previous one sealed."""
    if not _PROCESS_KEY:
        _PROCESS_KEY.append(Fernet.generate_key())
    return _PROCESS_KEY[0]


class SlotCipher:
    """Seals and opens private slot values (Fernet: AES-128-CBC with an HMAC).

    Without a key, a random one is made for this process: values sealed before a
    restart can no longer be opened, and the form simply asks for them again.
    """

    def __init__(self, key: str = "") -> None:
        self._fernet = Fernet(key.encode("ascii") if key else _process_key())

    @staticmethod
    def is_sealed(value: Any) -> bool:
        return isinstance(value, str) and value.startswith(SEALED_PREFIX)

    def seal(self, value: Any) -> str:
        token = self._fernet.encrypt(json.dumps(value).encode("utf-8"))
        return SEALED_PREFIX + token.decode("ascii")

    def open(self, value: Any) -> Any:
        """The original value, or None when it was sealed with another key (or damaged)."""
        if not self.is_sealed(value):
            return value
        try:
            return json.loads(self._fernet.decrypt(value[len(SEALED_PREFIX):].encode("ascii")))
        except (InvalidToken, ValueError):
            return None


def valid_key(key: str) -> bool:
    try:
        Fernet(key.encode("ascii"))
        return True
    except (ValueError, UnicodeEncodeError):
        return False
