"""The conversation store: Rasa's SQL tracker store, redacting before it writes.

Every channel's messages reach the store through `save`, so this is the one point
where personal data is removed (`bot.redaction`): CPR numbers, phone numbers, e-mails
and children's names in any text become `[CPR]`, `[TELEFON]`, `[EMAIL]`, `[NAVN]`;
the callback form's private slots (`private_slots` in endpoints.yml) are sealed and
their values redacted wherever the parent or the bot wrote them. The bot has already
understood the message when it is saved: the classifier and the actions saw the
original text within the turn.

Configured in endpoints.yml (`type: bot.tracker_store.RedactingTrackerStore`); the
database is TRACKER_STORE_URL (bot.settings): a SQLite file by default, PostgreSQL for
several Rasa replicas. Connections are checked before use, so the store comes back by
itself after the database restarts; while the database cannot be reached, a message
fails with an error the channel shows (`bot.store_errors`) instead of Rasa's fallback
to an empty conversation kept in one process's memory.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Set, Union

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, Restarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, TrackerEventDiffEngine

from bot import action_fallback, log_redaction, rasa_speedups, settings, store_errors
from bot.knowledge import KnowledgeError, load_knowledge
from bot.redaction import (
    PrivateValue,
    Redactor,
    SlotCipher,
    private_value,
    public_contact_keys,
    valid_key,
)

logger = logging.getLogger(__name__)

REQUESTED_SLOT = "requested_slot"
DEFAULT_ANSWER_PLACEHOLDER = "[PRIVAT]"
SQL_SETTINGS = ("dialect", "host", "port", "db", "username", "password", "query")


def sql_settings(url: str) -> Dict[str, Any]:
    """Rasa's SQLTrackerStore arguments for a SQLAlchemy URL."""
    parsed = sa.engine.make_url(url)
    dialect = "postgresql" if parsed.drivername.startswith("postgresql") else parsed.drivername
    return {"dialect": dialect, "host": parsed.host, "port": parsed.port,
            "db": parsed.database, "username": parsed.username,
            "password": parsed.password, "query": dict(parsed.query) or None}


class RedactingTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never writes personal data (see the module docstring)."""

    # A database error fails the message instead of Rasa's in-memory fallback.
    strict = True

    def __init__(self, domain: Optional[Domain] = None,
                 event_broker: Optional[EventBroker] = None,
                 private_slots: Union[Mapping[str, str], Iterable[str], None] = None,
                 slot_key: Optional[str] = None,
                 **kwargs: Any) -> None:
        config = settings.load()
        key = config.tracker_slot_key if slot_key is None else slot_key
        if key and not valid_key(key):
            raise ValueError("Setting TRACKER_SLOT_KEY must be a Fernet key (32 url-safe "
                             "base64 bytes); make one with `python -m bot.cli slot-key`")
        # Rasa passes `host=None` (the endpoint's url) even when endpoints.yml names no
        # database: then the database is TRACKER_STORE_URL.
        if all(kwargs.get(name) is None for name in SQL_SETTINGS):
            kwargs.update(sql_settings(config.tracker_store_url))
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        engine: Any = self.__dict__["engine"]  # made by SQLTrackerStore (untyped)
        if engine.dialect.name != "sqlite":
            # A pooled connection may have died with a database restart: check each
            # before use, so the first message afterwards does not fail.
            engine.dispose()
            self.engine = sa.create_engine(engine.url, pool_pre_ping=True,
                                           **create_engine_kwargs(engine.url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # slot -> what an answer to its question is stored as when the form could not
        # read it (endpoints.yml: `callback_name: "[NAVN]"`); a plain list works too.
        if isinstance(private_slots, Mapping):
            self.answer_placeholders = {slot: str(text) for slot, text in private_slots.items()}
        else:
            self.answer_placeholders = {slot: DEFAULT_ANSWER_PLACEHOLDER
                                        for slot in private_slots or ()}
        self.private_slots: FrozenSet[str] = frozenset(self.answer_placeholders)
        self.names = config.privacy_redact_names
        self.cipher = SlotCipher(key)
        if not key:
            logger.info("TRACKER_SLOT_KEY is not set: callback forms in progress are "
                        "sealed with a key of this process only.")
        # Set-up of the Rasa server process, which creates this store once at start.
        log_redaction.install(names=self.names)
        rasa_speedups.install()
        action_fallback.install(config.action_timeout_seconds)
        store_errors.install()

    # Writing: only redacted events reach the database or the event broker.
    def _private(self, tracker: DialogueStateTracker) -> List[tuple[str, PrivateValue]]:
        found: Dict[str, PrivateValue] = {}
        for event in tracker.events:
            if isinstance(event, SlotSet) and event.key in self.private_slots:
                value = event.value
                if isinstance(value, str) and value not in found:
                    pattern = private_value(value)
                    if pattern is not None:
                        found[value] = pattern
        return list(found.items())

    def _answers(self, tracker: DialogueStateTracker) -> Dict[int, str]:
        """Position in `tracker.events` of each message that answered a private question
        (sent while a form was asking for a private slot) -> its placeholder."""
        answers: Dict[int, str] = {}
        asking: Optional[str] = None
        loop: Optional[str] = None
        for index, event in enumerate(tracker.events):
            if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
                asking = event.value
            elif isinstance(event, ActiveLoop):
                loop = event.name
            elif isinstance(event, Restarted):
                asking = loop = None
            elif isinstance(event, UserUttered) and loop and asking in self.private_slots:
                answers[index] = self.answer_placeholders[asking]
        return answers

    def redacted(self, tracker: DialogueStateTracker, events: Iterable[Event]) -> List[Event]:
        """`events`, the newest events of `tracker`, as they may be stored."""
        new_events = list(events)
        private = self._private(tracker)
        log_redaction.remember(private)
        redactor = Redactor(names=self.names, private=[p for _, p in private],
                            public=self._public_contacts())
        answers = self._answers(tracker)
        first = len(tracker.events) - len(new_events)
        return [
            Event.from_parameters(redactor.event(event.as_dict(), self.private_slots,
                                                 self.cipher, answers.get(first + offset)))
            for offset, event in enumerate(new_events)
        ]

    @staticmethod
    def _public_contacts() -> FrozenSet[str]:
        """The directory's own numbers and addresses, left readable in the bot's replies."""
        try:
            contacts = load_knowledge().contacts.values()
        except (KnowledgeError, OSError):
            return frozenset()  # redact them too rather than fail to store
        return public_contact_keys([c.phone for c in contacts], [c.email or "" for c in contacts])

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        new_events = list(super()._additional_events(session, tracker))
        return iter(self.redacted(tracker, new_events))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is None:
            return None
        old_tracker = await self.retrieve(tracker.sender_id)
        new_events = TrackerEventDiffEngine.event_difference(old_tracker, tracker)
        await self._stream_new_events(self.event_broker, self.redacted(tracker, new_events),
                                      tracker.sender_id)

    # Reading: private slot values are opened again for the form.
    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id,
                fetch_events_from_all_sessions=fetch_events_from_all_sessions,
            ).all()
            events = [self._opened(json.loads(row.data)) for row in rows]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        log_redaction.remember(self._private(tracker))
        # While a form runs, the parent is answering it (a description, a name, a
        # number): Rasa's debug events for this message are logged without its text.
        log_redaction.hide_answers_in_this_turn(bool(tracker.active_loop_name))
        return tracker

    def _opened(self, data: Dict[str, Any]) -> Dict[str, Any]:
        if data.get("event") == "slot" and SlotCipher.is_sealed(data.get("value")):
            return {**data, "value": self.cipher.open(data["value"])}
        return data

    # Deletion (the parent's "Slet samtale", staff on request).
    async def input_channels(self, sender_id: str) -> Set[str]:
        """The channels the parent's messages in this conversation came through."""
        tracker = await self.retrieve_full_tracker(sender_id)
        if tracker is None:
            return set()
        return {event.input_channel or "" for event in tracker.events
                if isinstance(event, UserUttered)}

    async def delete(self, sender_id: str) -> int:
        """Delete every event of one conversation; the number of events removed."""
        with self.session_scope() as session:
            removed = (session.query(self.SQLEvent)
                       .filter(self.SQLEvent.sender_id == sender_id)
                       .delete(synchronize_session=False))
            session.commit()
        return int(removed)
