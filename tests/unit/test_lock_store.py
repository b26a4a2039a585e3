"""The conversation lock: in memory by default, shared through a real Redis server."""

from __future__ import annotations

import asyncio
import threading

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from bot.lock_store import SettingsLockStore, redis_options


def test_redis_url_gives_rasa_its_settings():
    options = redis_options("rediss://bot:hemm%40lig@redis.internal:6380/2")
    assert options == {"host": "redis.internal", "port": 6380, "db": 2, "username": "bot",
                       "password": "hemm@lig", "use_ssl": True, "key_prefix": "herning"}
    assert redis_options("redis://127.0.0.1")["port"] == 6379
    with pytest.raises(ValueError, match="database number"):
        redis_options("redis://host:6379/locks")


def test_without_redis_the_lock_lives_in_this_process(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    store = SettingsLockStore()
    assert isinstance(store.store, InMemoryLockStore) and not store.shared


def test_two_replicas_take_turns_through_redis(redis):
    first, second = SettingsLockStore(redis_url=redis.url), SettingsLockStore(redis_url=redis.url)
    assert isinstance(first.store, RedisLockStore) and first.shared
    ticket = first.issue_ticket("samtale-1")
    lock = second.get_lock("samtale-1")
    assert lock is not None and lock.is_locked(ticket + 1)  # the other replica must wait
    first.cleanup("samtale-1", ticket)
    assert second.get_lock("samtale-1") is None


def test_tickets_taken_at_the_same_instant_on_two_replicas_are_all_different(redis):
    # Rasa's own Redis lock reads, changes and writes the lock: replicas racing for a
    # conversation could both get ticket 0. Eight threads on two stores, 25 tickets each.
    stores = [SettingsLockStore(redis_url=redis.url) for _ in range(2)]
    tickets: list[int] = []
    guard = threading.Lock()
    start = threading.Barrier(8)

    def take(store: SettingsLockStore) -> None:
        start.wait()
        for _ in range(25):
            number = store.issue_ticket("samtale-kapløb", 60)
            with guard:
                tickets.append(number)

    threads = [threading.Thread(target=take, args=(stores[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(200))
    lock = stores[0].get_lock("samtale-kapløb")
    assert lock is not None and len(lock.tickets) == 200


def test_a_message_waiting_behind_a_dead_replica_goes_ahead_when_its_ticket_expires(redis):
    # The dead replica's ticket (lifetime 0.5 s) and the waiting one's (0.8 s) both
    # expire before Rasa's one-second poll looks again: Rasa's own loop then waits for
    # "ticket 0" forever. Here the message goes ahead and holds the conversation.
    dead, alive = SettingsLockStore(redis_url=redis.url), SettingsLockStore(redis_url=redis.url)
    dead.issue_ticket("samtale-død", 0.5)

    async def handle() -> bool:
        async with alive.lock("samtale-død", lock_lifetime=0.8):
            lock = alive.get_lock("samtale-død")
            return lock is not None and lock.is_someone_waiting()

    assert asyncio.run(asyncio.wait_for(handle(), timeout=5)) is True
    assert alive.get_lock("samtale-død") is None  # released afterwards


def test_a_waiting_message_goes_as_soon_as_the_one_before_it_finishes(redis):
    first, second = SettingsLockStore(redis_url=redis.url), SettingsLockStore(redis_url=redis.url)
    order: list[str] = []

    async def turn(store: SettingsLockStore, name: str, hold: float) -> None:
        async with store.lock("samtale-kø"):
            order.append(f"{name} start")
            await asyncio.sleep(hold)
            order.append(f"{name} slut")

    async def overlapping() -> float:
        begun = asyncio.get_running_loop().time()
        one = asyncio.create_task(turn(first, "A", 0.3))
        await asyncio.sleep(0.05)
        await turn(second, "B", 0.0)
        await one
        return asyncio.get_running_loop().time() - begun

    took = asyncio.run(overlapping())
    assert order == ["A start", "A slut", "B start", "B slut"]
    assert took < 0.8  # B started within a poll of A finishing, not a second later
