"""The conversation lock: in this process by default, in Redis for several replicas.

Rasa handles one message per conversation at a time by taking a ticket lock. With one
Rasa server the lock can live in its memory; with several replicas behind a load
balancer it must be shared, or two replicas could answer the same conversation at once
and write its events twice. `SettingsLockStore` (endpoints.yml `lock_store:`) reads
REDIS_URL from `bot.settings` and hands the work to Rasa's own `RedisLockStore` when it
is set, to Rasa's `InMemoryLockStore` when it is not, so the switch is an environment
setting, not an edit of endpoints.yml.

Rasa 3.6 changes a lock in Redis by reading it, changing it and writing it back. Two
replicas that receive the same conversation's messages at the same instant (a double
click, a retry through the load balancer) can both read "no lock" and both take ticket
0, or one can overwrite the other's finished ticket so the next message waits for the
lock's whole lifetime. Here each such change holds a short Redis mutex per
conversation, so the tickets stay in order across replicas.

Rasa's waiting loop has a second flaw: a waiting message's own ticket expires on the
same clock as the one it waits for. When a replica dies holding a conversation, the
next message's ticket, taken a moment later, can expire in the same poll as the dead
one; the lock is then empty, "now serving 0", and the message waits until its client
gives up. `_acquire_lock` here lets a message go once no earlier ticket is left, and
puts its ticket back while it is handled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional
from urllib.parse import unquote, urlsplit

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore

from bot import settings

logger = logging.getLogger(__name__)

# Redis key prefix for this bot's locks (alphanumeric, as Rasa requires).
KEY_PREFIX = "herning"
# Seconds a change of one lock may take before its mutex is given up (a dead replica).
MUTEX_SECONDS = 5.0
# Seconds between looks at a lock another message holds (Rasa waits a whole second).
POLL_SECONDS = 0.1


def redis_options(url: str) -> Dict[str, Any]:
    """RedisLockStore's arguments for redis://[user:password@]host[:port][/db]."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError("REDIS_URL must end in a database number, e.g. redis://host:6379/0")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path or 0),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
        "key_prefix": KEY_PREFIX,
    }


class SettingsLockStore(LockStore):
    """Rasa's Redis lock store when REDIS_URL is set, its in-memory one otherwise."""

    def __init__(self, endpoint_config: Optional[Any] = None,
                 redis_url: Optional[str] = None) -> None:
        url = settings.load().redis_url if redis_url is None else redis_url
        self.store: LockStore = (RedisLockStore(**redis_options(url)) if url
                                 else InMemoryLockStore())
        logger.info("Conversation locks: %s", "Redis" if url else "in this process")
        super().__init__()

    @property
    def shared(self) -> bool:
        return isinstance(self.store, RedisLockStore)

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

    @contextmanager
    def _changing(self, conversation_id: str) -> Iterator[None]:
        """Hold the conversation's mutex while its lock is read, changed and saved."""
        if not isinstance(self.store, RedisLockStore):
            yield  # one process: Rasa's event loop already runs these one at a time
            return
        mutex = self.store.red.lock(f"{KEY_PREFIX}:mutex:{conversation_id}",
                                    timeout=MUTEX_SECONDS, sleep=0.005,
                                    blocking_timeout=MUTEX_SECONDS)
        with mutex:
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._changing(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._changing(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._changing(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    async def _acquire_lock(self, conversation_id: str, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        """Wait until no earlier ticket is left (finished, or expired with a dead
        replica), then hold the conversation with `ticket` (see the module docstring)."""
        logger.debug("Acquiring lock for conversation '%s'.", conversation_id)
        while True:
            with self._changing(conversation_id):
                lock = self.get_or_create_lock(conversation_id)
                lock.remove_expired_tickets()
                if not any(earlier.number < ticket for earlier in lock.tickets):
                    if not any(mine.number == ticket for mine in lock.tickets):
                        # Expired while waiting: hold the conversation again.
                        lock.tickets.appendleft(Ticket(ticket, time.time() + LOCK_LIFETIME))
                    self.save_lock(lock)
                    logger.debug("Acquired lock for conversation '%s'.", conversation_id)
                    return lock
            await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
