"""The public HTTP surface over HTTP against the real servers: the REST channel, the
signed webhook channel (sync and async), limits, `/intent` injection, the action server.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bot.settings import PROJECT_ROOT
from bot.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier, sign
from tests.integration.conftest import ACTION_TOKEN, PLATFORM_SECRET, Bot, texts

pytestmark = pytest.mark.live


def post(url: str, body: Any, headers: Optional[Dict[str, str]] = None
         ) -> Tuple[int, Any, Dict[str, str]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return error.code, parsed, dict(error.headers)


def delete_url(bot: Bot) -> str:
    return bot.url.rsplit("/", 1)[0] + "/delete"


def platform_url(bot: Bot) -> str:
    return bot.url.replace("/webhooks/rest/webhook", "/webhooks/platform/webhook")


def signed(bot: Bot, body: Dict[str, Any], secret: str = PLATFORM_SECRET,
           now: Optional[float] = None) -> Tuple[int, Any, Dict[str, str]]:
    raw = json.dumps(body).encode("utf-8")
    return post(platform_url(bot), raw, sign(secret, raw, now))


def rows(bot: Bot, sender: str) -> List[Tuple[str, Optional[str], str]]:
    with sqlite3.connect(bot.tracker_db) as db:
        return db.execute("SELECT type_name, intent_name, data FROM events WHERE sender_id = ? "
                          "ORDER BY id", (sender,)).fetchall()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


# The REST channel (the web chat).
@pytest.mark.parametrize("typed", ["/restart", "/bot_challenge", "/request_callback",
                                   "/acute_danger", '/correct_callback{"callback_field":"x"}'])
def test_a_parent_typing_an_intent_name_is_answered_as_text(bot, typed):
    sender = new_sender()
    status, messages, _ = post(bot.url, {"sender": sender, "message": typed})
    assert status == 200 and messages
    intents = [intent for kind, intent, _ in rows(bot, sender) if kind == "user"]
    assert intents and intents[-1] != typed.lstrip("/").split("{")[0]
    said = " ".join(texts(messages))
    assert "Hvad vil du gerne tale med kommunen om?" not in said  # no callback form
    assert not any("alarm-112" in json.dumps(m) for m in messages)  # no 112 card
    assert all(kind != "restart" for kind, _, _ in rows(bot, sender))


def test_quick_replies_travel_as_payloads_the_bot_offered(bot):
    sender = new_sender()
    status, messages, _ = post(bot.url, {"sender": sender, "message": "xqzt blorf"})
    offered = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert status == 200 and "/request_person" in offered
    status, answer, _ = post(bot.url, {"sender": sender, "payload": "/request_person"})
    assert status == 200 and any("contact" in (m.get("custom") or {}) for m in answer)
    # Not offered (any more): refused, and nothing reaches the bot.
    before = len(rows(bot, sender))
    status, answer, _ = post(bot.url, {"sender": sender, "payload": "/acute_danger"})
    assert status == 400 and answer["field"] == "payload"
    assert len(rows(bot, sender)) == before


@pytest.mark.parametrize("body, field", [
    ({"message": "hej"}, "sender"),
    ({"sender": None, "message": "hej"}, "sender"),
    ({"sender": "default", "message": "hej"}, "sender"),
    ({"sender": 12345678901234567, "message": "hej"}, "sender"),
    ({"sender": "a" * 200, "message": "hej"}, "sender"),
    ({"sender": new_sender()}, "message"),
    ({"sender": new_sender(), "message": ["hej"]}, "message"),
    ({"sender": new_sender(), "message": "hej", "payload": "/greet"}, "payload"),
    ({"sender": new_sender(), "message": "hej", "metadata": {"admin": "1"}}, "metadata"),
    ({"sender": new_sender(), "message": "hej", "metadata": {"page": "x" * 500}}, "metadata"),
    ({"sender": new_sender(), "message": "hej", "metadata": "da"}, "metadata"),
])
def test_rest_requests_missing_or_breaking_a_field_get_400_naming_it(bot, body, field):
    status, answer, _ = post(bot.url, body)
    assert status == 400 and answer["field"] == field and answer["error"]


@pytest.mark.parametrize("raw, status", [
    (b"", 400), (b"{not json", 400), (b"[1, 2]", 400), (b'"text"', 400),
    ('{"sender": "s", "message": "hej"}'.encode("utf-16"), 400),
    (b'{"sender": "\xff\xfe", "message": "x"}', 400),
    (json.dumps({"sender": "x" * 20, "message": "a" * 20000}).encode(), 413),
    (b"x" * 200_000, 413),
], ids=["empty", "not-json", "array", "string", "utf-16", "latin-bytes-in-the-id",
        "long-message", "huge-body"])
def test_malformed_non_utf8_and_oversize_bodies_get_their_4xx(bot, raw, status):
    for url in (bot.url, delete_url(bot)):
        got, answer, _ = post(url, raw)
        assert got == status, (url, raw[:40], answer)


def feedback_url(bot: Bot) -> str:
    return bot.url.rsplit("/", 1)[0] + "/feedback"


def test_feedback_is_kept_only_for_an_answer_the_bot_gave_in_that_conversation(bot):
    sender = new_sender()
    answer = bot.send("Hvad er tandpleje for børn?", sender)
    assert any((m.get("custom") or {}).get("source", {}).get("id") == "tandpleje"
               for m in answer), answer
    # Not answered here, unknown conversation, broken fields: refused, nothing stored.
    for body, status, field in [
        ({"sender": sender, "section": "sundhedspleje", "rating": "op"}, 404, "section"),
        ({"sender": new_sender(), "section": "tandpleje", "rating": "op"}, 404, "section"),
        ({"sender": sender, "section": "tandpleje", "rating": "5 stjerner"}, 400, "rating"),
        ({"sender": sender, "section": "<script>", "rating": "op"}, 400, "section"),
        ({"sender": sender, "rating": "op"}, 400, "section"),
        ({"sender": "kort", "section": "tandpleje", "rating": "op"}, 400, "sender"),
    ]:
        code, reply, _ = post(feedback_url(bot), body)
        assert (code, reply.get("field")) == (status, field), (body, reply)
        assert reply["error"]
    stored = [json.loads(d) for kind, _, d in rows(bot, sender) if kind == "slot"]
    assert not [e for e in stored if e["name"] == "answer_feedback"]

    code, reply, _ = post(feedback_url(bot), {"sender": sender, "section": "tandpleje",
                                              "rating": "ned"})
    assert (code, reply) == (200, {"received": True})
    stored = [json.loads(d) for kind, _, d in rows(bot, sender) if kind == "slot"]
    assert [e["value"] for e in stored if e["name"] == "answer_feedback"] == [
        {"section": "tandpleje", "rating": "ned"}]
    # The conversation goes on as before.
    assert texts(bot.send("Hvad er sundhedspleje?", sender))


def test_rate_limit_answers_429_and_lifts(bot):
    sender = new_sender()
    statuses = []
    for _ in range(45):  # the tests run with 40 messages per 3 seconds
        status, _, headers = post(bot.url, {"sender": sender, "payload": "/not-offered"})
        statuses.append(status)
    assert statuses[:40] == [400] * 40 and statuses[-1] == 429
    assert int(headers["Retry-After"]) >= 1
    time.sleep(3.2)
    status, messages, _ = post(bot.url, {"sender": sender, "message": "Hvad er inklusion?"})
    assert status == 200 and messages


# The webhook channel (other platforms).
def test_a_signed_request_gets_the_bots_answer_with_its_metadata_kept(bot):
    sender = f"sag-{uuid.uuid4().hex[:8]}"
    status, answer, _ = signed(bot, {"sender": sender, "message": "Hvad er tidlig indsats?",
                                     "metadata": {"locale": "da-DK", "platform": "borger-app"}})
    assert status == 200 and answer["sender"] == sender
    assert any(m.get("custom", {}).get("source", {}).get("id") == "tidlig-indsats"
               for m in answer["messages"])
    assert all("recipient_id" not in m for m in answer["messages"])
    user = [json.loads(data) for kind, _, data in rows(bot, f"platform:{sender}")
            if kind == "user"][0]
    assert user["input_channel"] == "platform"
    assert {"locale": "da-DK", "platform": "borger-app", "channel": "platform",
            "platform_conversation_id": sender}.items() <= user["metadata"].items()


def test_unsigned_wrongly_signed_stale_tampered_and_replayed_requests_get_401(bot):
    sender = f"sag-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "Hvad er tidlig indsats?"}
    raw = json.dumps(body).encode("utf-8")
    good = sign(PLATFORM_SECRET, raw)
    cases = {
        "unsigned": (raw, {}),
        "wrong secret": (raw, sign("another-secret-0000000", raw)),
        "old timestamp": (raw, sign(PLATFORM_SECRET, raw, time.time() - 3600)),
        "future timestamp": (raw, sign(PLATFORM_SECRET, raw, time.time() + 3600)),
        "tampered body": (raw.replace(b"tidlig", b"senere"), good),
        "bad header": (raw, {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "x"}),
    }
    for name, (data, headers) in cases.items():
        status, answer, _ = post(platform_url(bot), data, headers)
        assert status == 401 and answer["error"], name
    assert rows(bot, f"platform:{sender}") == []  # no trace in the tracker
    assert post(platform_url(bot), raw, good)[0] == 200
    status, answer, _ = post(platform_url(bot), raw, good)  # the same request again
    assert status == 401 and "genafspilning" in answer["error"]


def test_async_mode_posts_signed_replies_and_retries_while_the_platform_fails(bot):
    sender = f"sag-{uuid.uuid4().hex[:8]}"
    bot.platform.status = 503
    try:
        status, answer, _ = signed(bot, {"sender": sender, "message": "Hvad er tandpleje?",
                                         "async": True})
        assert status == 202 and answer == {"sender": sender, "accepted": True}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_posts(bot, sender)) < 2:
            time.sleep(0.1)
        assert len(_posts(bot, sender)) >= 2  # failed, retried
    finally:
        bot.platform.status = 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivered = _posts(bot, sender)
        if len(delivered) >= 3:
            break
        time.sleep(0.1)
    last = _posts(bot, sender)[-1]
    Verifier(PLATFORM_SECRET).verify(last["headers"], last["body"])  # signed
    assert any(m.get("custom", {}).get("source", {}).get("id") == "tandpleje"
               for m in last["json"]["messages"])


def _posts(bot: Bot, sender: str) -> List[Dict[str, Any]]:
    return [r for r in list(bot.platform.requests) if r["json"].get("sender") == sender]


def test_a_typed_intent_name_is_text_on_the_webhook_channel_too(bot):
    sender = f"sag-{uuid.uuid4().hex[:8]}"
    status, answer, _ = signed(bot, {"sender": sender, "message": "/restart"})
    assert status == 200
    assert [i for k, i, _ in rows(bot, f"platform:{sender}") if k == "user"] != ["restart"]


def test_the_parent_cannot_delete_a_platform_conversation(bot):
    sender = f"sag-{uuid.uuid4().hex[:16]}"
    assert signed(bot, {"sender": sender, "message": "Hvad er inklusion?"})[0] == 200
    # The REST channel's ids cannot name it ("platform:" is not a widget id).
    status, answer, _ = post(delete_url(bot),
                             {"sender": f"platform:{sender}"})
    assert status == 400 and answer["field"] == "sender"
    assert post(delete_url(bot), {"sender": sender})[1] == {
        "deleted": False}
    assert rows(bot, f"platform:{sender}")


# The action server.
def test_the_action_server_wants_its_token_and_never_echoes_the_tracker(bot):
    url = f"http://127.0.0.1:{bot.action_port}/webhook"
    # A tracker the action cannot read makes it fail; rasa-sdk would echo it all back.
    call = {"next_action": "action_answer_section", "sender_id": "x", "version": "3.6.21",
            "tracker": ["min søn Oliver, cpr 010203-1234"], "domain": {}}
    status, answer, _ = post(url, call)
    assert status == 401 and answer == {"error": "Adgang nægtet."}
    status, answer, _ = post(url, call, {"Authorization": f"Bearer {ACTION_TOKEN}"})
    assert status == 500 and answer == {"error": "Handlingen kunne ikke udføres."}
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.action_port}/health") as health:
        assert health.status == 200


# The integration guide's examples (README, docs/examples/) work as written.
def test_the_readmes_python_and_curl_examples_work(bot):
    env = {**bot.env, "PLATFORM_WEBHOOK_SECRET": PLATFORM_SECRET,
           "BOT_URL": f"http://127.0.0.1:{bot.rasa_port}"}
    python = subprocess.run(
        [sys.executable, "docs/examples/webhook_client.py", "Hvad er tidlig indsats?",
         "--url", env["BOT_URL"], "--sender", f"eksempel-{uuid.uuid4().hex[:6]}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert python.returncode == 0, python.stderr
    assert "Herning Kommune lægger vægt på at hjælpe tidligt" in python.stdout
    shell = subprocess.run(["bash", "docs/examples/webhook_curl.sh"], cwd=PROJECT_ROOT,
                           env=env, capture_output=True, text=True, timeout=60)
    assert shell.returncode == 0, shell.stderr
    answer = json.loads(shell.stdout)
    assert answer["sender"] == "sag-123" and answer["messages"]
