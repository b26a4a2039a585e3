"""Callback requests end to end: real Rasa and action servers, a real SMTP server,
a real webhook receiver and the handoff table in the conversation store's SQLite file."""

from __future__ import annotations

import re
import subprocess
import time
from typing import Any, Dict, List

import pytest
import yaml

from tests.integration.conftest import VENV_BIN, Bot, Conversation, custom_ids, texts

pytestmark = pytest.mark.live

REFERENCE = re.compile(r"HK-[A-Z2-9]{3}-[A-Z2-9]{3}")


def joined(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(texts(messages))


def start(conversation: Conversation) -> List[Dict[str, Any]]:
    reply = conversation.say("kan I ringe mig op?")
    assert "centerchef" in custom_ids(reply, "contact"), reply
    assert "CPR-nummer" in joined(reply) and "sikker mail" in joined(reply)
    assert "Hvad vil du gerne tale med kommunen om?" in joined(reply)
    return reply


def fill(conversation: Conversation, phone: str = "+45 22 33 44 55") -> List[Dict[str, Any]]:
    start(conversation)
    assert "Hvad hedder du?" in joined(
        conversation.say("Min datter har svært ved at starte i skole efter sommerferien"))
    assert "telefonnummer eller hvilken mailadresse" in joined(conversation.say("Mette Hansen"))
    summary = conversation.say(phone)
    assert "Må jeg sende disse oplysninger til Bo Ulrich Bertelsen" in joined(summary)
    return summary


def agree(conversation: Conversation, text: str = "ja") -> str:
    """Say yes to the summary; the reference number the parent was shown."""
    reply = conversation.say(text)
    match = REFERENCE.search(joined(reply))
    assert match, reply
    return match[0]


def wait_delivered(bot: Bot, reference: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = bot.handoffs.get(reference)
        if stored and stored.delivered:
            return stored
        time.sleep(0.2)
    pytest.fail(f"{reference} was not delivered in {timeout} s: {bot.handoffs.get(reference)}")


def test_complete_request_is_stored_mailed_and_posted_with_the_reference_shown(bot):
    conversation = bot.conversation()
    fill(conversation)
    done = conversation.say("ja")
    match = REFERENCE.search(joined(done))
    assert match, done
    reference = match[0]
    handoff = [m["custom"]["handoff"] for m in done if "handoff" in (m.get("custom") or {})]
    assert handoff == [{"reference": reference, "contact": "centerchef"}]

    stored = wait_delivered(bot, reference)
    assert stored.conversation_id == conversation.sender
    assert stored.contact_id == "centerchef" and stored.parent_name == "Mette Hansen"
    assert stored.parent_phone == "+4522334455"
    assert stored.description.startswith("Min datter har svært")
    assert stored.created_at is not None

    mails = [m for m in bot.mail.wait_for(1) if reference in m["Subject"]]
    assert len(mails) == 1
    assert mails[0]["To"] == "cbfbo@herning.dk"
    body = mails[0].get_payload(decode=True).decode("utf-8")
    assert reference in body and "Telefon: +45 22 33 44 55" in body
    posted = [r for r in bot.webhook.requests if r["json"]["reference"] == reference]
    assert len(posted) == 1 and posted[0]["json"]["parent"]["name"] == "Mette Hansen"


def test_request_made_while_smtp_is_down_is_kept_and_delivered_when_it_returns(bot):
    bot.mail.stop()
    try:
        conversation = bot.conversation()
        fill(conversation, phone="87654321")
        reference = agree(conversation, "ja tak")
        time.sleep(1.0)
        stored = bot.handoffs.get(reference)
        email = [d for d in stored.deliveries if d.channel == "email"][0]
        assert email.delivered_at is None and email.attempts >= 1 and email.last_error
        listing = subprocess.run(
            [str(VENV_BIN / "python"), "-m", "bot.cli", "handoffs", "list", "--undelivered"],
            env=bot.env, capture_output=True, text=True, timeout=60, check=True)
        assert reference in listing.stdout and "IKKE leveret" in listing.stdout
    finally:
        bot.mail.start()
    wait_delivered(bot, reference)
    assert [m for m in bot.mail.messages if reference in m["Subject"]]


def test_parent_who_stops_halfway_leaves_nothing_stored(bot):
    conversation = bot.conversation()
    start(conversation)
    conversation.say("Min søn har det svært i klassen")
    reply = conversation.say("glem det")
    assert "hverken gemt eller sendt" in joined(reply)
    assert bot.handoffs.for_conversation(conversation.sender) == []
    # The form is closed: a name-like message is no longer taken as an answer.
    assert "Hvad hedder du?" not in joined(conversation.say("hvad er tidlig indsats?"))


def test_corrected_phone_number_is_the_one_stored(bot):
    conversation = bot.conversation()
    fill(conversation, phone="22 33 44 55")
    summary = conversation.say("nej, nummeret er forkert, det er 87 65 43 21")
    assert "87 65 43 21" in joined(summary) and "Må jeg sende" in joined(summary)
    reference = agree(conversation)
    assert bot.handoffs.get(reference).parent_phone == "+4587654321"


def test_correction_by_intent_asks_again_and_keeps_the_rest(bot):
    conversation = bot.conversation()
    fill(conversation)
    reply = conversation.say("jeg vil gerne rette mit telefonnummer")
    assert "telefonnummer eller hvilken mailadresse" in joined(reply)
    summary = conversation.say("mette@eksempel.dk")
    assert "E-mail: mette@eksempel.dk" in joined(summary) and "Mette Hansen" in joined(summary)
    reference = agree(conversation)
    stored = bot.handoffs.get(reference)
    assert (stored.parent_email, stored.parent_phone) == ("mette@eksempel.dk", None)


def test_question_in_the_middle_is_answered_and_the_form_continues(bot):
    conversation = bot.conversation()
    start(conversation)
    conversation.say("Jeg er bekymret for min søns trivsel i børnehaven")
    reply = conversation.say("hvad betyder tidlig indsats?")
    assert "tidlig-indsats" in custom_ids(reply, "source")
    assert joined(reply).rstrip().endswith("Hvad hedder du?")
    conversation.say("Lars")
    conversation.say("lars@eksempel.dk")
    reference = agree(conversation)
    assert bot.handoffs.get(reference).parent_name == "Lars"


def test_invalid_answers_are_explained_and_asked_again(bot):
    conversation = bot.conversation()
    start(conversation)
    reply = conversation.say("Min søn 010203-1234 har brug for hjælp")
    assert "CPR-nummer" in joined(reply) and "Hvad vil du gerne tale" in joined(reply)
    conversation.say("Min søn har brug for hjælp i skolen")
    conversation.say("Mette")
    reply = conversation.say("123")
    assert "8 cifre" in joined(reply)
    assert "Må jeg sende" in joined(conversation.say("12 34 56 78"))
    reply = conversation.say("nej")
    assert "sender ikke noget" in joined(reply)
    assert bot.handoffs.for_conversation(conversation.sender) == []


def test_acute_danger_mid_form_says_112_first_and_closes_the_form(bot):
    conversation = bot.conversation()
    start(conversation)
    reply = conversation.say("han har lige sagt at han vil tage sit eget liv")
    assert "112" in texts(reply)[0]
    assert custom_ids(reply, "contact")[0] == "alarm-112"
    conversation.say("Mette")
    assert bot.handoffs.for_conversation(conversation.sender) == []


def test_new_contact_and_opening_hours_take_effect_without_restart(bot):
    path = bot.knowledge_dir / "contacts.yml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["contacts"][0]["topics"].remove("tandpleje")
    data["contacts"].append({
        "id": "tandplejen", "name": "Den kommunale tandpleje", "role": "Tandpleje",
        "phone": "12345678", "email": "tand@herning.test", "topics": ["tandpleje"],
        "opening_hours": {day: "00:00-24:00" for day in
                          ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag",
                           "søndag")},
    })
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        conversation = bot.conversation()
        conversation.say("kan mit barn få gratis tandpleje hos kommunen")
        reply = conversation.say("hvem kan jeg ringe til om det?")
        assert custom_ids(reply, "contact") == ["tandplejen"]
        assert "Der er åbent nu" in joined(reply)
        intro = conversation.say("ring mig op")
        assert custom_ids(intro, "contact") == ["tandplejen"]
    finally:
        path.write_text(original, encoding="utf-8")
