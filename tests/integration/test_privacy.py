"""Personal data end to end: what the running bot stores and logs, and deletion.

Messages go through the REST channel (and the signed webhook channel) to the real Rasa
and action servers (both logging
at DEBUG); the test then reads the raw rows of the conversation store, the handoff
table, the e-mail and webhook the staff receive, and both servers' log files.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.signing import sign
from bot.tracker_store import RedactingTrackerStore
from tests.integration.conftest import PLATFORM_SECRET, Bot, custom_ids, texts
from tests.integration.test_callback import REFERENCE, wait_delivered
from tests.support.rows import readable

pytestmark = pytest.mark.live

# Every common way of writing a CPR number; each a different, real date.
CPR_FORMS = [
    "010203-1234",      # the usual form
    "0502051237",       # no dash
    "070406 1238",      # a space for the dash
    "11 12 87-4321",    # date digits spaced
    "12.11.90-1112",    # date with dots
    "230514–2233",      # en dash, as phones and word processors type it
    "290200-3344",      # 29 February 2000
]
PHONES = ["+45 22 33 44 55", "41526374", "0045 29 38 47 56", "2837 4655"]
EMAILS = ["mor.jensen@example.dk", "FAR_77@Eksempel.Net"]
PLACEHOLDERS = ["[CPR]", "[TELEFON]", "[EMAIL]", "[NAVN]"]


def raw_rows(db: Path, sender: str) -> List[Tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT * FROM events WHERE sender_id = ?",
                                  (sender,)).fetchall()


def logs(bot: Bot) -> str:
    return "\n".join(path.read_text(errors="replace") for path in bot.logs)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def post(url: str, body: Any, headers: Optional[Dict[str, str]] = None
         ) -> Tuple[int, Dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def delete_url(bot: Bot) -> str:
    return bot.url.rsplit("/", 1)[0] + "/delete"  # POST /webhooks/rest/delete


def test_no_cpr_number_phone_number_or_email_is_stored_or_logged(bot):
    conversation = bot.conversation()
    originals: List[str] = []
    for cpr in CPR_FORMS:
        reply = conversation.say(f"Min søns CPR-nummer er {cpr}. Hvad er tidlig indsats?")
        said = texts(reply)
        # The parent is told first, kindly, and still gets the answer.
        assert said[0].startswith("Jeg har ikke gemt det CPR-nummer"), said
        assert "sikker mail" in said[0] and "centerchef" in custom_ids(reply, "contact")
        assert any("source" in (m.get("custom") or {}) for m in reply), reply
        originals.append(cpr)
    for phone in PHONES:
        said = texts(conversation.say(f"Hvad er tidlig indsats? Mit nummer er {phone}"))
        assert said[0].startswith("Jeg har ikke gemt det telefonnummer"), said
        originals.append(phone)
    for email in EMAILS:
        said = texts(conversation.say(f"Hvad er tidlig indsats? Min mail er {email}"))
        assert said[0].startswith("Jeg har ikke gemt den mailadresse"), said
        originals.append(email)
    said = texts(conversation.say("Min datter Freja har svært ved at komme i skole"))
    assert not said[0].startswith("Jeg har ikke gemt"), said  # names: redacted quietly
    originals.append("Freja")

    stored = readable(raw_rows(bot.tracker_db, conversation.sender))
    logged = logs(bot)
    for original in originals:
        assert original not in stored, original
        assert original.lower() not in stored.lower(), original
        assert original not in logged, original
    for cpr in CPR_FORMS:  # not even with the separators taken out
        assert digits(cpr) not in stored and digits(cpr) not in logged
    for placeholder in PLACEHOLDERS:
        assert placeholder in stored, placeholder
    for placeholder in ("[CPR]", "[TELEFON]", "[EMAIL]"):
        assert placeholder in logged, placeholder


def test_the_webhook_channel_stores_and_logs_no_personal_data_either(bot):
    sender = f"sag-{uuid.uuid4().hex[:10]}"
    sent = {"010203-1234": "[CPR]", "22 33 44 55": "[TELEFON]", "mor.jensen@example.dk": "[EMAIL]"}
    for original in sent:
        raw = json.dumps({"sender": sender, "message": f"Hvad er tidlig indsats? {original}",
                          "metadata": {"locale": "da-DK"}}).encode("utf-8")
        status, answer = post(bot.url.replace("/rest/", "/platform/"), raw,
                              sign(PLATFORM_SECRET, raw))
        assert status == 200
        assert answer["messages"][0]["text"].startswith("Jeg har ikke gemt")
    stored = readable(raw_rows(bot.tracker_db, f"platform:{sender}"))
    logged = logs(bot)
    for original, placeholder in sent.items():
        assert original not in stored and original not in logged, original
        assert placeholder in stored


def test_callback_keeps_only_the_consented_contact_details(bot):
    conversation = bot.conversation()
    conversation.say("kan I ringe mig op?")
    asked = conversation.say("Min søn Viggo har brug for aflastning, hans lærer har nr "
                             "23 45 67 89")
    assert "Hvad hedder du?" in "\n".join(texts(asked))
    # Answers the form cannot read are asked again, and not kept either.
    asked = conversation.say("Sigrid (mor til Viggo)")
    assert "Det forstod jeg ikke som et navn" in "\n".join(texts(asked))
    asked = conversation.say("Jeg hedder Sigrid Holm")
    assert "telefonnummer eller hvilken mailadresse" in "\n".join(texts(asked))
    conversation.say("61/72/83/94")
    summary = "\n".join(texts(conversation.say("ring på 61 72 83 94")))
    # The parent sees what will be sent: their own details, the description redacted.
    assert "Sigrid Holm" in summary and "61 72 83 94" in summary
    assert "Viggo" not in summary and "23 45 67 89" not in summary
    done = "\n".join(texts(conversation.say("ja")))
    reference = REFERENCE.search(done)[0]

    request = wait_delivered(bot, reference)
    assert (request.parent_name, request.parent_phone) == ("Sigrid Holm", "+4561728394")
    assert "[NAVN]" in request.description and "[TELEFON]" in request.description
    assert "Viggo" not in request.description and "23 45 67 89" not in request.description
    mail = [m for m in bot.mail.wait_for(1) if reference in m["Subject"]][0]
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "Sigrid Holm" in body and "Viggo" not in body and "23 45 67 89" not in body
    posted = [r["json"] for r in bot.webhook.requests if r["json"]["reference"] == reference]
    assert "Viggo" not in json.dumps(posted, ensure_ascii=False)

    # The conversation store holds none of it: not the name, not either number.
    stored = readable(raw_rows(bot.tracker_db, conversation.sender))
    for original in ("Sigrid", "Holm", "Viggo", "61 72 83 94", "61728394", "23 45 67 89",
                     "61/72/83/94"):
        assert original not in stored, original
    assert "Jeg hedder [NAVN]" in stored and "ring på [TELEFON]" in stored
    assert '"text": "[NAVN]"' in stored and '"text": "[KONTAKT]"' in stored
    assert "sealed:v1:" in stored  # the form's slots, unreadable without the key
    logged = logs(bot)
    for original in ("Sigrid", "Viggo", "61 72 83 94", "61728394", "23 45 67 89"):
        assert original not in logged, original


def test_ten_digit_numbers_that_are_not_cpr_numbers_are_kept(bot):
    conversation = bot.conversation()
    message = "Sagen har nummer 3213451234 og journal 310299-1234, hvad er tidlig indsats?"
    said = texts(conversation.say(message))
    assert not any(text.startswith("Jeg har ikke gemt") for text in said), said
    stored = readable(raw_rows(bot.tracker_db, conversation.sender))
    assert message in stored
    assert "[CPR]" not in stored


def test_parent_deletes_exactly_their_own_conversation(bot):
    mine, other = bot.conversation(), bot.conversation()
    mine.say("Hvad er tidlig indsats?")
    other.say("Hvad er tidlig indsats?")
    assert raw_rows(bot.tracker_db, mine.sender) and raw_rows(bot.tracker_db, other.sender)

    assert post(delete_url(bot), {"sender": mine.sender}) == (200, {"deleted": True})
    assert raw_rows(bot.tracker_db, mine.sender) == []
    assert raw_rows(bot.tracker_db, other.sender)
    assert post(delete_url(bot), {"sender": mine.sender}) == (200, {"deleted": False})
    # The deleted conversation starts afresh if the tab writes again.
    assert texts(mine.say("Hvad er tidlig indsats?"))


@pytest.mark.parametrize("body", [
    b"not json", b"[]", {"sender": 12}, {}, {"sender": ""}, {"sender": "default"},
    {"sender": "a" * 129}, {"sender": "../../etc/passwd-xxxxxxxx"},
    {"sender": "<script>alert(1)</script>"},
])
def test_delete_refuses_anything_but_a_conversation_id(bot, body):
    status, answer = post(delete_url(bot), body)
    assert status == 400 and answer["error"].startswith(("Forespørgslen", "Feltet \"sender\""))


def test_delete_refuses_a_conversation_of_another_channel(bot):
    sender = f"webhook-{uuid.uuid4().hex}"
    store = RedactingTrackerStore(domain=Domain.empty(), dialect="sqlite",
                                  db=str(bot.tracker_db))
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen"),
        UserUttered("Hvad er tidlig indsats?", input_channel="partner"),
    ])
    asyncio.run(store.save(tracker))
    status, answer = post(delete_url(bot), {"sender": sender})
    assert status == 403 and "kan ikke slettes herfra" in answer["error"]
    assert raw_rows(bot.tracker_db, sender)
