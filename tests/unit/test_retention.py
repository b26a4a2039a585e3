"""Retention and deletion on a conversation store written by the bot's own tracker store."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import cli
from bot.retention import DAY_SECONDS, delete_conversation, purge_older_than
from bot.tracker_store import RedactingTrackerStore

NOW = time.time()


def _conversation(sender: str, age_days: float) -> DialogueStateTracker:
    at = NOW - age_days * DAY_SECONDS
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("hvad er tidlig indsats?", timestamp=at + 1),
        BotUttered("Herning Kommune lægger vægt på ...", timestamp=at + 2),
    ])


@pytest.fixture
def store(tmp_path, monkeypatch):
    db = tmp_path / "conversations.db"
    monkeypatch.setenv("TRACKER_DB", str(db))
    rasa_store = RedactingTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    for sender, age in (("old-1", 45), ("old-2", 31), ("young-1", 29), ("young-2", 0.1)):
        asyncio.run(rasa_store.save(_conversation(sender, age)))
    return rasa_store, f"sqlite:///{db}"


def _senders(rasa_store) -> set:
    return set(asyncio.run(rasa_store.keys()))


def test_conversations_older_than_the_limit_are_gone_and_younger_ones_remain(store):
    rasa_store, url = store
    assert purge_older_than(url, 30, now=NOW) == ["old-1", "old-2"]
    assert _senders(rasa_store) == {"young-1", "young-2"}
    tracker = asyncio.run(rasa_store.retrieve("young-1"))
    assert tracker.latest_message.text == "hvad er tidlig indsats?"
    assert purge_older_than(url, 30, now=NOW) == []


def test_a_conversation_with_a_recent_message_is_kept_whatever_its_first_message(store):
    rasa_store, url = store
    old = asyncio.run(rasa_store.retrieve("old-1"))
    old.update(UserUttered("er I der stadig?", timestamp=NOW))
    asyncio.run(rasa_store.save(old))
    assert purge_older_than(url, 30, now=NOW) == ["old-2"]


def test_delete_removes_exactly_that_conversation(store):
    rasa_store, url = store
    assert delete_conversation(url, "young-2") == 3
    assert _senders(rasa_store) == {"old-1", "old-2", "young-1"}
    assert delete_conversation(url, "young-2") == 0


def test_commands_for_staff(store, monkeypatch, capsys):
    rasa_store, _ = store
    monkeypatch.setenv("RETENTION_DAYS", "40")
    assert cli.main(["conversations", "purge"]) == 0
    assert "Slettede 1 samtaler" in capsys.readouterr().out
    assert cli.main(["conversations", "delete", "young-1"]) == 0
    assert cli.main(["conversations", "delete", "no-such-id"]) == 1
    assert _senders(rasa_store) == {"old-2", "young-2"}
    assert cli.main(["conversations", "purge", "--days", "0"]) == 2


def test_an_empty_store_has_nothing_to_purge(tmp_path):
    assert purge_older_than(f"sqlite:///{tmp_path / 'empty.db'}", 30) == []
