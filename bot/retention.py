"""Retention and deletion in the conversation store (Rasa's SQL `events` table).

A conversation is the set of events with one `sender_id`. It is old when its newest
event is older than the retention limit. Callback requests are not touched: a parent
submitted them on purpose, with consent, and staff need them to call back.
"""

from __future__ import annotations

import time
from typing import List

import sqlalchemy as sa
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

DAY_SECONDS = 24 * 60 * 60


class RetentionError(RuntimeError):
    """The conversation store could not be read or changed; nothing was half-deleted."""


def _events(connection: sa.engine.Connection) -> sa.Table:
    return sa.Table("events", sa.MetaData(), autoload_with=connection)


def purge_older_than(url: str, days: int, now: float | None = None) -> List[str]:
    """Delete every conversation whose newest event is older than `days`; their ids."""
    if days < 1:
        raise ValueError("the retention limit must be at least one day")
    cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
    try:
        with sa.create_engine(url, future=True).begin() as connection:
            events = _events(connection)
            old = [
                row[0]
                for row in connection.execute(
                    sa.select(events.c.sender_id)
                    .group_by(events.c.sender_id)
                    .having(sa.func.max(events.c.timestamp) < cutoff)
                )
            ]
            if old:
                connection.execute(events.delete().where(events.c.sender_id.in_(old)))
            return sorted(old)
    except NoSuchTableError:
        return []  # no conversation stored yet
    except SQLAlchemyError as error:
        raise RetentionError(f"cannot purge the conversation store: {error}") from error


def delete_conversation(url: str, sender_id: str) -> int:
    """Delete one conversation by its id; the number of events removed."""
    try:
        with sa.create_engine(url, future=True).begin() as connection:
            events = _events(connection)
            result = connection.execute(events.delete().where(events.c.sender_id == sender_id))
            return int(result.rowcount)
    except NoSuchTableError:
        return 0
    except SQLAlchemyError as error:
        raise RetentionError(f"cannot delete the conversation: {error}") from error
