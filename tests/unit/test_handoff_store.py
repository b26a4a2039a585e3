"""The handoff store on real SQLite and a real PostgreSQL server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.handoff_store import HandoffStore, HandoffStoreError, NewRequest

REQUEST = NewRequest(
    conversation_id="conv-1", topic_id="overgange", topic_title="Sammenhænge og overgange",
    contact_id="centerchef", contact_name="Bo Ulrich Bertelsen",
    contact_email="cbfbo@herning.dk", description="Overgang fra børnehave til skole",
    parent_name="Mette", parent_phone="+4522334455", parent_email=None,
)
TARGETS = {"email": "cbfbo@herning.dk", "webhook": "https://example.invalid/hook"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return HandoffStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    server = request.getfixturevalue("postgres")
    engine = sa.create_engine(server.url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS handoff_deliveries, handoff_requests"))
    return HandoffStore(server.url)


def test_request_is_stored_with_reference_and_undelivered_deliveries(store):
    stored = store.create(REQUEST, TARGETS)
    assert stored.reference.startswith("HK-")
    again = store.get(stored.reference)
    assert again.parent_phone == "+4522334455" and again.topic_id == "overgange"
    assert again.created_at.tzinfo is not None
    assert {d.channel for d in again.deliveries} == {"email", "webhook"}
    assert not again.delivered
    assert [r.reference for r in store.undelivered()] == [stored.reference]


def test_delivery_is_claimed_once_and_marked(store):
    stored = store.create(REQUEST, {"email": "cbfbo@herning.dk"})
    delivery = stored.deliveries[0]
    assert store.claim(delivery.id, timedelta(minutes=1))
    assert not store.claim(delivery.id, timedelta(minutes=1))  # another worker has it
    store.mark_failed(delivery.id, "SMTP down")
    failed = store.get(stored.reference).deliveries[0]
    assert failed.attempts == 1 and failed.last_error == "SMTP down"
    assert store.claim(delivery.id, timedelta(minutes=1))
    store.mark_delivered(delivery.id)
    assert store.get(stored.reference).delivered
    assert store.undelivered() == []
    assert not store.claim(delivery.id, timedelta(minutes=1))


def test_a_failed_write_stores_nothing(store):
    # A delivery row that breaks a constraint fails the whole transaction.
    broken = {"email": None}  # target is NOT NULL everywhere
    with pytest.raises(HandoffStoreError):
        store.create(REQUEST, broken)  # type: ignore[dict-item]
    assert store.for_conversation("conv-1") == []


def test_unreachable_database_is_a_store_error(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    with pytest.raises(HandoffStoreError):
        store.create(REQUEST, TARGETS)
