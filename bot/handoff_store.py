"""The handoff store: callback requests and their deliveries to staff, in a SQL table.

SQLite by default (the conversation store's file), PostgreSQL by `HANDOFF_DB_URL`.
A request and its delivery rows are written in one transaction: either all of it is
stored or nothing is. A delivery stays undelivered until a channel confirms it; a
worker claims a delivery for a short lease first, so two workers (the action server's
retry and `bot.cli handoffs resend`) never send the same one at once.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.callback import new_reference

metadata = sa.MetaData()

requests_table = sa.Table(
    "handoff_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("topic_id", sa.String(64)),
    sa.Column("topic_title", sa.String(255)),
    sa.Column("contact_id", sa.String(64), nullable=False),
    sa.Column("contact_name", sa.String(255), nullable=False),
    sa.Column("contact_email", sa.String(255)),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("parent_name", sa.String(255), nullable=False),
    sa.Column("parent_phone", sa.String(32)),
    sa.Column("parent_email", sa.String(255)),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
)

deliveries_table = sa.Table(
    "handoff_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "request_id",
        sa.Integer,
        sa.ForeignKey("handoff_requests.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("channel", sa.String(16), nullable=False),  # "email" or "webhook"
    sa.Column("target", sa.String(512), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("claimed_until", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("request_id", "channel"),
)


class HandoffStoreError(RuntimeError):
    """The store could not write or read; nothing half-written was kept."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: Optional[datetime]) -> Optional[datetime]:
    """SQLite gives naive datetimes back; every time here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass(frozen=True)
class NewRequest:
    conversation_id: str
    topic_id: Optional[str]
    topic_title: Optional[str]
    contact_id: str
    contact_name: str
    contact_email: Optional[str]
    description: str
    parent_name: str
    parent_phone: Optional[str]
    parent_email: Optional[str]


@dataclass(frozen=True)
class Delivery:
    id: int
    channel: str
    target: str
    attempts: int
    last_error: Optional[str]
    delivered_at: Optional[datetime]


@dataclass(frozen=True)
class StoredRequest(NewRequest):
    """A request as stored: its answers plus reference, time and deliveries."""

    id: int
    reference: str
    created_at: datetime
    deliveries: tuple[Delivery, ...]

    @property
    def delivered(self) -> bool:
        return all(d.delivered_at for d in self.deliveries)


class HandoffStore:
    """Callback requests in a SQL database; tables are created on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[Engine] = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            connect_args: Dict[str, Any] = {}
            if self.url.startswith("sqlite"):
                # Shared with Rasa's conversation store: wait for its writes.
                connect_args = {"timeout": 15}
            engine = sa.create_engine(self.url, future=True, pool_pre_ping=True,
                                      connect_args=connect_args)
            if self.url.startswith("sqlite"):
                sa.event.listen(engine, "connect", _sqlite_foreign_keys)
            try:
                metadata.create_all(engine)
            except SQLAlchemyError as error:
                raise HandoffStoreError(f"cannot open the handoff store: {error}") from error
            self._engine = engine
        return self._engine

    def create(self, request: NewRequest, targets: Dict[str, str]) -> StoredRequest:
        """Store a request and one delivery per channel ({"email": address, ...})."""
        for _ in range(5):
            reference = new_reference()
            now = utcnow()
            try:
                with self.engine.begin() as connection:
                    request_id = connection.execute(
                        requests_table.insert().values(
                            reference=reference, created_at=now, consent_at=now,
                            **asdict(request),
                        )
                    ).inserted_primary_key[0]
                    for channel, target in targets.items():
                        connection.execute(
                            deliveries_table.insert().values(
                                request_id=request_id, channel=channel, target=target,
                                attempts=0,
                            )
                        )
            except IntegrityError as error:
                if "reference" in str(error.orig).lower():
                    continue  # a reference drawn twice: draw again
                raise HandoffStoreError(f"cannot store the request: {error}") from error
            except SQLAlchemyError as error:
                raise HandoffStoreError(f"cannot store the request: {error}") from error
            stored = self.get(reference)
            assert stored is not None
            return stored
        raise HandoffStoreError("no free reference number after five tries")

    def get(self, reference: str) -> Optional[StoredRequest]:
        rows = self._requests(requests_table.c.reference == reference)
        return rows[0] if rows else None

    def for_conversation(self, conversation_id: str) -> List[StoredRequest]:
        return self._requests(requests_table.c.conversation_id == conversation_id)

    def undelivered(self) -> List[StoredRequest]:
        pending = sa.select(deliveries_table.c.request_id).where(
            deliveries_table.c.delivered_at.is_(None)
        )
        return self._requests(requests_table.c.id.in_(pending))

    def all(self) -> List[StoredRequest]:
        return self._requests(sa.true())

    def _requests(self, where: Any) -> List[StoredRequest]:
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(requests_table).where(where).order_by(requests_table.c.id)
                ).mappings().all()
                ids = [row["id"] for row in rows]
                deliveries = connection.execute(
                    sa.select(deliveries_table)
                    .where(deliveries_table.c.request_id.in_(ids))
                    .order_by(deliveries_table.c.id)
                ).mappings().all() if ids else []
        except SQLAlchemyError as error:
            raise HandoffStoreError(f"cannot read the handoff store: {error}") from error
        by_request: Dict[int, List[Delivery]] = {}
        for d in deliveries:
            by_request.setdefault(d["request_id"], []).append(
                Delivery(d["id"], d["channel"], d["target"], d["attempts"], d["last_error"],
                         _aware(d["delivered_at"]))
            )
        fields = StoredRequest.__dataclass_fields__
        stored = []
        for row in rows:
            values: Dict[str, Any] = {
                k: _aware(v) if isinstance(v, datetime) else v
                for k, v in row.items() if k in fields
            }
            stored.append(StoredRequest(**values,
                                        deliveries=tuple(by_request.get(row["id"], []))))
        return stored

    def claim(self, delivery_id: int, lease: timedelta) -> bool:
        """Take a delivery for `lease`; False when delivered or another worker has it."""
        now = utcnow()
        table = deliveries_table
        with self.engine.begin() as connection:
            result = connection.execute(
                table.update()
                .where(table.c.id == delivery_id)
                .where(table.c.delivered_at.is_(None))
                .where(sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now))
                .values(claimed_until=now + lease)
            )
            return result.rowcount == 1

    def mark_delivered(self, delivery_id: int) -> None:
        now = utcnow()
        with self.engine.begin() as connection:
            connection.execute(
                deliveries_table.update()
                .where(deliveries_table.c.id == delivery_id)
                .values(delivered_at=now, last_attempt_at=now, claimed_until=None,
                        attempts=deliveries_table.c.attempts + 1, last_error=None)
            )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                deliveries_table.update()
                .where(deliveries_table.c.id == delivery_id)
                .values(last_attempt_at=utcnow(), claimed_until=None, last_error=error[:2000],
                        attempts=deliveries_table.c.attempts + 1)
            )


def _sqlite_foreign_keys(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@functools.lru_cache(maxsize=4)
def store_for(url: str) -> HandoffStore:
    """One store (and connection pool) per database URL in a process."""
    return HandoffStore(url)
