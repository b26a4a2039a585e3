"""Personal data never reaches a log line, at any level.

`install()` redacts every log record the process creates from then on, whichever
logger or handler it goes to: a record factory rewrites the message (and any
traceback) with `bot.redaction.Redactor`, and a structlog processor does the same for
Rasa's structured debug events before they are rendered. It is called when the
conversation store is created (Rasa server) and by `bot.action_server` (action
server); never at import.

The Rasa server also learns the callback form's private values (the parent's name
and phone/e-mail) as the conversation store meets them (`remember`), and marks a turn
in which the parent is answering the form (`hide_answers_in_this_turn`): in that
turn Rasa's debug events that carry the message text are logged without it, because a
name cannot be recognised before the form has accepted it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any, Dict, Iterable, Optional

from bot.redaction import PrivateValue, Redactor

HIDDEN = "[SKJULT]"
# Rasa's structured debug events that can carry what the parent wrote (the same keys
# Rasa's own `rasa.utils.log_utils._anonymizer` lists).
_TEXT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message",
    "prefilled_slots", "message", "response", "slot_candidates", "rasa_event",
    "rasa_events", "tracker_states", "current_states", "old_states", "states",
    "user_message", "json_message",
})
_REMEMBER_SECONDS = 2 * 60 * 60
_REMEMBER_MAX = 1000

_answer_hidden: ContextVar[bool] = ContextVar("answer_hidden", default=False)
_lock = threading.Lock()
_installed: Dict[str, Any] = {}
# value -> (pattern, when it was seen); newest last.
_remembered: OrderedDict[str, tuple[PrivateValue, float]] = OrderedDict()


def remember(values: Iterable[tuple[str, PrivateValue]]) -> None:
    """Redact these private values in this process's log lines for the next two hours."""
    now = time.monotonic()
    with _lock:
        for raw, pattern in values:
            _remembered.pop(raw, None)
            _remembered[raw] = (pattern, now)
        while len(_remembered) > _REMEMBER_MAX:
            _remembered.popitem(last=False)


def _redactor() -> Redactor:
    now = time.monotonic()
    with _lock:
        for raw in [raw for raw, (_, seen) in _remembered.items()
                    if now - seen > _REMEMBER_SECONDS]:
            del _remembered[raw]
        private = [pattern for pattern, _ in _remembered.values()]
    return Redactor(names=bool(_installed.get("names", True)), private=private)


def hide_answers_in_this_turn(hide: bool = True) -> None:
    """Whether the message being handled answers a form (set on every message: Sanic
    may handle several requests of one connection in the same task)."""
    _answer_hidden.set(hide)


def redact_text(text: str) -> str:
    return _redactor().text(text)


def _clean(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {key: _clean(item, redactor) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_clean(item, redactor) for item in value]
    return redactor.text(repr(value))  # events, trackers: as they would be rendered


def structlog_processor(_logger: Any, _method: str, event_dict: Dict[str, Any]
                        ) -> Dict[str, Any]:
    """First structlog processor: the event dict with personal data removed."""
    hide = _answer_hidden.get()
    redactor = _redactor()
    return {key: HIDDEN if hide and key in _TEXT_KEYS else _clean(value, redactor)
            for key, value in event_dict.items()}


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging to report
        return record
    cleaned = redact_text(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    return record


def install(names: bool = True) -> None:
    """Redact all log records and structlog events of this process (idempotent)."""
    with _lock:
        _installed["names"] = names
        if _installed.get("factory"):
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed["factory"] = factory
    install_structlog()


def install_structlog() -> None:
    """Put the processor first in structlog's chain (Rasa configures it at start-up)."""
    try:
        import structlog
    except ImportError:  # pragma: no cover - structlog comes with Rasa
        return
    processors: Optional[list] = structlog.get_config().get("processors")
    if processors is not None and structlog_processor not in processors:
        processors.insert(0, structlog_processor)


def installed() -> bool:
    return bool(_installed.get("factory"))
