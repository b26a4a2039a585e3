"""The redacting conversation store on real SQLite and PostgreSQL databases.

The raw rows are read back with SQL, as an auditor (or an attacker with the database
file) would read them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.core.brokers.sql import SQLEventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT
from bot.tracker_store import RedactingTrackerStore
from tests.support.rows import readable

PRIVATE_SLOTS = {"callback_name": "[NAVN]", "callback_reach": "[KONTAKT]"}
ORIGINALS = ["010203-1234", "22 33 44 55", "mor@example.dk", "Oliver", "Sigrid Holm",
             "61 72 83 94", "61728394"]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path) -> dict:
    """Rasa's SQL tracker store settings, as endpoints.yml gives them."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "conversations.db")}
    server = request.getfixturevalue("postgres")
    engine = sa.create_engine(server.url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS events"))
    return {"dialect": "postgresql", "host": "127.0.0.1", "port": server.port,
            "db": "postgres", "username": "handoff"}


def make_store(domain: Domain, settings: dict, **extra: Any) -> RedactingTrackerStore:
    return RedactingTrackerStore(domain=domain, private_slots=PRIVATE_SLOTS,
                                 **settings, **extra)


def conversation(domain: Domain, sender: str = "parent-1") -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")],
                                               slots=domain.slots)
    for event in [
        UserUttered("Min søn Oliver har cpr 010203-1234, ring 22 33 44 55 / mor@example.dk",
                    {"name": "faq_tidlig_indsats", "confidence": 0.9}, input_channel="rest"),
        BotUttered("Centerchefen har telefon 20 67 42 14."),
        ActionExecuted("action_listen"),
        UserUttered("jeg hedder sigrid holm", {"name": "inform", "confidence": 0.8},
                    input_channel="rest"),
        SlotSet("callback_name", "Sigrid Holm"),
        UserUttered("ring på 61 72 83 94", input_channel="rest"),
        SlotSet("callback_reach", "+4561728394"),
        SlotSet("callback_description", "Min søn Oliver, ring 22 33 44 55"),
        BotUttered("Navn: Sigrid Holm. Telefon: 61 72 83 94. Må jeg sende det?"),
    ]:
        tracker.update(event)
    return tracker


def raw(store: RedactingTrackerStore, sender: str = "parent-1") -> str:
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM events WHERE sender_id = :s"),
                                  {"s": sender}).fetchall()
    return readable(rows)


def test_rows_hold_placeholders_and_sealed_slots_never_the_originals(domain, settings):
    store = make_store(domain, settings)
    asyncio.run(store.save(conversation(domain)))
    stored = raw(store)
    for original in ORIGINALS:
        assert original.lower() not in stored.lower(), original
    for expected in ("Min søn [NAVN] har cpr [CPR], ring [TELEFON] / [EMAIL]",
                     "jeg hedder [NAVN]", "ring på [TELEFON]",
                     "Navn: [NAVN]. Telefon: [TELEFON].", "sealed:v1:",
                     "20 67 42 14"):  # the centre chief's published number stays
        assert expected in stored, expected


def test_the_form_still_has_its_values_on_the_next_turn(domain, settings):
    store = make_store(domain, settings)
    asyncio.run(store.save(conversation(domain)))
    again = asyncio.run(store.retrieve("parent-1"))
    assert again.get_slot("callback_name") == "Sigrid Holm"
    assert again.get_slot("callback_reach") == "+4561728394"
    assert again.get_slot("callback_description") == "Min søn [NAVN], ring [TELEFON]"
    # Saving the retrieved tracker again adds nothing and leaks nothing.
    asyncio.run(store.save(again))
    assert len(asyncio.run(store.retrieve("parent-1")).events) == len(again.events)
    assert "Sigrid" not in raw(store)


def test_another_key_cannot_open_the_sealed_slots(domain, settings):
    key = Fernet.generate_key().decode()
    asyncio.run(make_store(domain, settings, slot_key=key).save(conversation(domain)))
    same = asyncio.run(make_store(domain, settings, slot_key=key).retrieve("parent-1"))
    assert same.get_slot("callback_name") == "Sigrid Holm"
    other = asyncio.run(make_store(domain, settings).retrieve("parent-1"))
    assert other.get_slot("callback_name") is None  # the form asks again


def test_answers_the_form_could_not_read_are_not_kept(domain, settings):
    store = make_store(domain, settings)
    tracker = DialogueStateTracker.from_events("parent-4", [
        ActionExecuted("action_listen"), ActiveLoop("callback_form"),
        SlotSet("requested_slot", "callback_name"),
        UserUttered("jeg hedder Bodil, tak", input_channel="rest"),
        SlotSet("callback_name", None), BotUttered("Hvad hedder du?"),
        UserUttered("Bodil Winther", input_channel="rest"),
        SlotSet("callback_name", "Bodil Winther"), SlotSet("requested_slot", "callback_reach"),
        UserUttered("61/72/83/94", input_channel="rest"),
        SlotSet("callback_reach", None),
        UserUttered("hvad bruger I mit nummer til?", input_channel="rest"),
    ], slots=domain.slots)
    asyncio.run(store.save(tracker))
    stored = raw(store, "parent-4")
    assert "Bodil" not in stored and "61/72/83/94" not in stored
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT data FROM events WHERE sender_id = 'parent-4' AND type_name = 'user' "
            "ORDER BY id")).fetchall()
    assert [json.loads(row[0])["text"] for row in rows] == [
        "[NAVN]", "[NAVN]", "[KONTAKT]", "[KONTAKT]"]


def test_ten_digit_numbers_that_are_not_cpr_numbers_are_kept(domain, settings):
    store = make_store(domain, settings)
    tracker = DialogueStateTracker.from_events("parent-2", [
        UserUttered("sag 3213451234 og journal 310299-1234", input_channel="rest")])
    asyncio.run(store.save(tracker))
    assert "sag 3213451234 og journal 310299-1234" in raw(store, "parent-2")


def test_delete_removes_one_conversation_and_names_its_channels(domain, settings):
    store = make_store(domain, settings)
    asyncio.run(store.save(conversation(domain, "parent-1")))
    asyncio.run(store.save(conversation(domain, "parent-3")))
    assert asyncio.run(store.input_channels("parent-1")) == {"rest"}
    assert asyncio.run(store.delete("parent-1")) > 0
    assert asyncio.run(store.retrieve("parent-1")) is None
    assert asyncio.run(store.retrieve("parent-3")) is not None
    assert asyncio.run(store.input_channels("parent-1")) == set()


def test_events_sent_to_an_event_broker_are_redacted_too(domain, tmp_path):
    broker = SQLEventBroker(db=str(tmp_path / "broker.db"))
    store = RedactingTrackerStore(domain=domain, event_broker=broker,
                                  private_slots=PRIVATE_SLOTS, dialect="sqlite",
                                  db=str(tmp_path / "conversations.db"))
    asyncio.run(store.save(conversation(domain)))
    with broker.engine.connect() as connection:
        published = "\n".join(str(row) for row in connection.execute(
            sa.text("SELECT data FROM events")).fetchall())
    assert "[CPR]" in published and "[TELEFON]" in published
    for original in ("010203-1234", "22 33 44 55", "mor@example.dk", "61 72 83 94",
                     "Sigrid", "sigrid", "Oliver"):
        assert original not in published, original


def test_a_bad_slot_key_stops_the_server_with_a_clear_message(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_SLOT_KEY", "too-short")
    with pytest.raises(ValueError, match="TRACKER_SLOT_KEY"):
        RedactingTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "c.db"))
