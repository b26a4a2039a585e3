"""What every public channel checks before a request reaches the bot.

Pure helpers, shared by the REST channel (the web chat) and the webhook channel (other
platforms): body size, decoding, JSON and its depth, the fields and their shapes, client
metadata, the rate limit, and the rule that a parent's text is always text: Rasa 3.6
takes a message starting with "/" as an intent name ("/restart",
"/request_callback{...}") and skips the classifier, so such text is passed on with an
invisible word joiner in front. A quick reply's payload travels in its own field and is
accepted only when the bot offered it in that conversation.

No text is refused for its characters: a body that is not UTF-8 is read as Windows-1252
(a Danish legacy system) when that gives JSON and the body holds no UTF-8 characters,
else as UTF-8 with U+FFFD for the broken bytes. In the fields, unpaired surrogates
(JSON "\\ud800") become U+FFFD and control characters other than tab and line breaks
are dropped (`clean_text`), before any other check. Ids are never rewritten: one that
cleaning would change is refused (400).

Errors are `RequestError`s with an HTTP status, the field at fault and a Danish message.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Deque, Dict, Iterable, List, Optional, Set

from bot.normalise import printable

# U+2060 WORD JOINER: invisible, not whitespace (survives strip()), so the text no
# longer starts with "/" for Rasa's intent shortcut.
PLAIN_TEXT_GUARD = "\u2060"
METADATA_MAX_BYTES = 1024
METADATA_VALUE_MAX_CHARS = 200
# Deeper JSON than this is refused (no request needs more than a few levels).
MAX_NESTING = 32
TOO_DEEP = "Forespørgslen er for dybt indlejret."

# C0 and C1 control characters and DEL, but tab, line feed and carriage return.
# A character other than ASCII and U+FFFD: a body with one is UTF-8, if damaged.
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")


class RequestError(Exception):
    """A request the channel refuses: status, field at fault, message in Danish."""

    def __init__(self, status: int, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def body(self) -> Dict[str, Any]:
        return {"error": self.message, **({"field": self.field} if self.field else {})}


# The channels clean every text field with the bot's own `printable`.
clean_text = printable


def readings(raw: bytes) -> List[str]:
    """The ways to read a body, in order: UTF-8 alone when it is UTF-8. Else Windows-1252
    (a Danish legacy system: "min s\\xf8n"), unless the body holds UTF-8 characters and
    so is UTF-8 with a few bad bytes; last UTF-8 with U+FFFD for the bad bytes."""
    try:
        return [raw.decode("utf-8")]
    except UnicodeDecodeError:
        pass
    damaged = raw.decode("utf-8", errors="replace")
    texts = []
    if not _BEYOND_ASCII.search(damaged):
        # Not for 0x81, 0x8d, 0x8f, 0x90 and 0x9d, which are no Windows-1252 character.
        with contextlib.suppress(UnicodeDecodeError):
            texts.append(raw.decode("cp1252"))
    return texts + [damaged]


def nesting_depth(value: Any, limit: int = MAX_NESTING) -> int:
    """How deep arrays and objects nest in `value` (0 for a scalar, 1 for `{}` or
    `[1]`), counted without recursion; counting stops past `limit`."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 0
    stack = [(value, 1)]
    while stack and deepest <= limit:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def parse_body(raw: bytes, max_bytes: int) -> Dict[str, Any]:
    """The JSON object of a request body, or a RequestError (413 or 400).

    Bytes that are not UTF-8 do not refuse a body: the first of its `readings` that is
    JSON counts ("min s\\xf8n" from Windows-1252 is "min søn"). JSON nested deeper than
    MAX_NESTING is refused, also where the parser itself gives up."""
    if len(raw) > max_bytes:
        raise RequestError(413, f"Forespørgslen er for stor (højst {max_bytes} bytes).")
    if not raw:
        raise RequestError(400, "Forespørgslen er tom; send et JSON-objekt.")
    for text in readings(raw):
        try:
            body = json.loads(text)
        except RecursionError:
            raise RequestError(400, TOO_DEEP) from None
        except ValueError:
            continue
        break
    else:
        raise RequestError(400, "Forespørgslen er ikke gyldig JSON.")
    if nesting_depth(body) > MAX_NESTING:
        raise RequestError(400, TOO_DEEP)
    if not isinstance(body, dict):
        raise RequestError(400, "Forespørgslen skal være et JSON-objekt.")
    return body


def required_string(body: Dict[str, Any], field: str, pattern: Optional[re.Pattern] = None,
                    max_chars: int = 128) -> str:
    """The field as clean text (`clean_text`). With a `pattern` (an id) it must match as
    sent: an id is never rewritten, so one that cleaning would change is invalid."""
    value = body.get(field)
    if value is None:
        raise RequestError(400, f"Feltet \"{field}\" mangler.", field)
    if not isinstance(value, str):
        raise RequestError(400, f"Feltet \"{field}\" skal være tekst.", field)
    text = clean_text(value)
    if len(text) > max_chars or (pattern is not None and (
            text != value or not pattern.fullmatch(text))):
        raise RequestError(400, f"Feltet \"{field}\" er ugyldigt.", field)
    return text


def optional_string(body: Dict[str, Any], field: str, max_chars: int) -> Optional[str]:
    if body.get(field) is None:
        return None
    return required_string(body, field, max_chars=max_chars)


def message_or_payload(body: Dict[str, Any], max_chars: int) -> tuple[Optional[str], Optional[str]]:
    """(message, payload): exactly one of them, as strings."""
    message = optional_string(body, "message", max_chars)
    payload = optional_string(body, "payload", 500)
    if message is None and payload is None:
        raise RequestError(400, "Feltet \"message\" mangler.", "message")
    if message is not None and payload is not None:
        raise RequestError(400, "Send enten \"message\" eller \"payload\", ikke begge.",
                           "payload")
    return message, payload


def client_metadata(body: Dict[str, Any], allowed: Iterable[str]) -> Dict[str, str]:
    """Client metadata: a small object of known keys with short text values."""
    raw = body.get("metadata")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RequestError(400, "Feltet \"metadata\" skal være et objekt.", "metadata")
    # Keys and values are cleaned first: nothing below (or in a store) meets a surrogate.
    metadata = {clean_text(key): clean_text(value) if isinstance(value, str) else value
                for key, value in raw.items()}
    allowed = set(allowed)
    unknown = sorted(key for key in metadata if key not in allowed)
    if unknown:
        raise RequestError(400, f"Feltet \"metadata\" har ukendte nøgler: {', '.join(unknown)}"
                           f" (tilladt: {', '.join(sorted(allowed))}).", "metadata")
    for key, value in metadata.items():
        if not isinstance(value, str) or len(value) > METADATA_VALUE_MAX_CHARS:
            raise RequestError(400, f"Feltet \"metadata.{key}\" skal være kort tekst.",
                               "metadata")
    if len(json.dumps(metadata, ensure_ascii=False).encode("utf-8")) > METADATA_MAX_BYTES:
        raise RequestError(400, "Feltet \"metadata\" er for stort.", "metadata")
    return metadata


def plain_text(text: str) -> str:
    """The parent's words as text, never as an intent name."""
    return PLAIN_TEXT_GUARD + text if text.lstrip().startswith("/") else text


def offered_payloads(events: Iterable[Any]) -> Set[str]:
    """The button payloads of the bot's messages since the parent last wrote."""
    offered: Set[str] = set()
    for event in reversed(list(events)):
        name = getattr(event, "type_name", None)
        if name == "user":
            break
        if name == "bot":
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    offered.add(button["payload"])
    return offered


def answered_sections(events: Iterable[Any]) -> Set[str]:
    """The ids of the policy sections the bot answered from in the conversation (the
    `custom.source.id` of its messages): the only answers a parent can rate."""
    found: Set[str] = set()
    for event in events:
        if getattr(event, "type_name", None) != "bot":
            continue
        custom = (event.data or {}).get("custom")
        source = custom.get("source") if isinstance(custom, dict) else None
        if isinstance(source, dict) and isinstance(source.get("id"), str):
            found.add(source["id"])
    return found


@dataclass
class RateLimiter:
    """At most `limit` requests per `seconds` for each key (sender), in this process."""

    limit: int
    seconds: float
    max_keys: int = 100_000

    def __post_init__(self) -> None:
        self._hits: OrderedDict[str, Deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: Optional[float] = None) -> float:
        """0 when the request may go ahead (and counts it), else seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and now - hits[0] >= self.seconds:
                hits.popleft()
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(0.1, self.seconds - (now - hits[0]))
            hits.append(now)
            return 0.0
