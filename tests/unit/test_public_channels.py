"""Request checks of the public channels and the request signatures (pure parts), and
the channels' refusals in process (Sanic over ASGI, with a stand-in for the agent)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest
from rasa.core.channels.channel import register
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from bot.channels.public import (
    MAX_NESTING,
    PLAIN_TEXT_GUARD,
    TOO_DEEP,
    RateLimiter,
    RequestError,
    answered_sections,
    clean_text,
    client_metadata,
    message_or_payload,
    offered_payloads,
    parse_body,
    plain_text,
    required_string,
)
from bot.signing import SignatureError, Verifier, sign

SECRET = "a-shared-secret-1234"
SENDER = "test-0123456789abcdef"


def test_bodies_are_checked_for_size_json_and_shape():
    assert parse_body(b'{"a": 1}', 100) == {"a": 1}
    for raw, status in ((b"x" * 101, 413), (b"", 400), (b"{", 400), (b"\xff\xfe", 400),
                        (b"[]", 400), (b"null", 400)):
        with pytest.raises(RequestError) as refused:
            parse_body(raw, 100)
        assert refused.value.status == status and refused.value.message
    with pytest.raises(RequestError, match="JSON"):  # not JSON however it is read
        parse_body(b"\xff\xfe", 100)


def test_a_windows_1252_body_is_read_as_danish_text():
    raw = '{"message": "min søn på 5 år går i børnehave – “Æblet”"}'.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert parse_body(raw, 1000) == {
        "message": "min søn på 5 år går i børnehave – “Æblet”"}
    assert parse_body(b'{"message": "min s\xf8n"}', 100) == {"message": "min søn"}


def test_bytes_that_are_not_text_are_read_as_replacement_characters():
    # 0x81 is neither UTF-8 nor Windows-1252.
    assert parse_body(b'{"message": "hej \x81 s\xf8n"}', 100) == {
        "message": "hej \ufffd s\ufffdn"}
    # UTF-8 with a broken byte stays UTF-8 (not "sÃ¸n" from Windows-1252).
    assert parse_body('{"message": "søn '.encode() + b'\xff"}', 100) == {
        "message": "søn \ufffd"}


# Under the 16 KB body limit: deep enough for the parser's recursion limit, and one level
# past MAX_NESTING (the object itself is the first level).
TOO_DEEP_BODIES = {
    "arrays-5000": b"[" * 5000 + b"]" * 5000,
    "objects-2500": b'{"a":' * 2500 + b"1" + b"}" * 2500,
    "one-too-deep": b'{"sender": "x", "message": "hej", "extra": ' + b"[" * MAX_NESTING
    + b"]" * MAX_NESTING + b"}",
}


@pytest.mark.parametrize("raw", TOO_DEEP_BODIES.values(), ids=TOO_DEEP_BODIES.keys())
def test_json_nested_too_deep_is_refused_in_danish(raw):
    with pytest.raises(RequestError) as refused:
        parse_body(raw, 16384)
    assert refused.value.status == 400 and refused.value.message == TOO_DEEP
    allowed = b'{"a": ' + b"[" * (MAX_NESTING - 1) + b"]" * (MAX_NESTING - 1) + b"}"
    assert parse_body(allowed, 16384)


def test_clean_text_keeps_text_and_drops_what_is_not():
    assert clean_text("hej\ud800") == "hej\ufffd"  # JSON "\\ud800" leaves this
    assert clean_text("\udfff\ud800") == "\ufffd\ufffd"
    assert clean_text("\ud83d\ude00") == "😀"  # a pair held as two code points
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f\x9fg") == "abcdefg"
    assert clean_text("linje 1\r\nlinje\t2\n") == "linje 1\r\nlinje\t2\n"
    kept = "Æbler, øl og ål 😀👨‍👩‍👧 \u200b\u200d\u2060\ufeff é ß € “”"
    assert clean_text(kept) == kept
    assert clean_text(json.loads('"min s\\u00f8n\\u0000\\ud800"')) == "min søn\ufffd"


def test_fields_are_cleaned_and_ids_never_rewritten():
    assert message_or_payload({"message": "hej\x00\ud800"}, 100) == ("hej\ufffd", None)
    assert message_or_payload({"payload": "/greet\x00"}, 100) == (None, "/greet")
    pattern = re.compile(r"[A-Za-z0-9_-]{16,128}")
    assert required_string({"sender": SENDER}, "sender", pattern) == SENDER
    for sender in (SENDER + "\ud800", SENDER + "\x00", "\ud800" * 20):
        with pytest.raises(RequestError) as refused:
            required_string({"sender": sender}, "sender", pattern)
        assert refused.value.status == 400 and refused.value.field == "sender"


def test_exactly_one_of_message_and_payload():
    assert message_or_payload({"message": "hej"}, 100) == ("hej", None)
    assert message_or_payload({"payload": "/greet"}, 100) == (None, "/greet")
    for body in ({}, {"message": 5}, {"message": "a", "payload": "/b"}, {"payload": []}):
        with pytest.raises(RequestError) as refused:
            message_or_payload(body, 100)
        assert refused.value.field in ("message", "payload")


def test_client_metadata_is_small_and_known():
    assert client_metadata({"metadata": {"locale": "da-DK"}}, ["locale"]) == {"locale": "da-DK"}
    assert client_metadata({}, ["locale"]) == {}
    for metadata in ({"admin": "1"}, {"locale": 5}, {"locale": "x" * 300}, ["locale"],
                     {"locale\ud800": "da"}):
        with pytest.raises(RequestError) as refused:
            client_metadata({"metadata": metadata}, ["locale"])
        assert refused.value.field == "metadata"
        json.dumps(refused.value.body(), ensure_ascii=False).encode("utf-8")


def test_metadata_with_surrogates_or_controls_is_accepted_cleaned():
    metadata = json.loads('{"locale": "da\\ud800", "pa\\u0000ge": "/forside\\u0007"}')
    assert client_metadata({"metadata": metadata}, ["locale", "page"]) == {
        "locale": "da\ufffd", "page": "/forside"}


def test_a_leading_slash_is_made_plain_text():
    assert plain_text("/restart") == PLAIN_TEXT_GUARD + "/restart"
    assert plain_text("  /greet") == PLAIN_TEXT_GUARD + "  /greet"
    assert plain_text("hej / farvel") == "hej / farvel"
    assert not plain_text("/restart").strip().startswith("/")


def test_only_the_latest_bot_turns_payloads_are_offered():
    events = [
        BotUttered("gammel", {"buttons": [{"title": "A", "payload": "/old"}]}),
        UserUttered("hej"),
        BotUttered("ny", {"buttons": [{"title": "B", "payload": "/request_person"}]}),
        BotUttered("mere", {"buttons": [{"title": "C", "payload": "/request_callback"}]}),
    ]
    assert offered_payloads(events) == {"/request_person", "/request_callback"}
    assert offered_payloads(events + [UserUttered("x")]) == set()


def test_only_sections_the_bot_answered_from_can_be_rated():
    source = {"source": {"id": "tandpleje", "title": "Tandpleje"}}
    events = [BotUttered("Hej"), UserUttered("tænder"),
              BotUttered("Svar", {"custom": source}), UserUttered("tak"),
              BotUttered("Noget", {"custom": {"contact": {"id": "centerchef"}}}),
              BotUttered("Forkert", {"custom": {"source": "tandpleje"}})]
    assert answered_sections(events) == {"tandpleje"}
    assert answered_sections(events[:2]) == set()


def test_rate_limit_counts_per_sender_and_lifts():
    limiter = RateLimiter(limit=2, seconds=10)
    assert limiter.retry_after("a", now=0) == 0 and limiter.retry_after("a", now=1) == 0
    assert limiter.retry_after("a", now=2) == pytest.approx(8)
    assert limiter.retry_after("b", now=2) == 0
    assert limiter.retry_after("a", now=10.5) == 0


def test_signatures_verify_and_refuse_as_they_should():
    body = b'{"sender": "s", "message": "hej"}'
    headers = sign(SECRET, body, now=1000)
    Verifier(SECRET).verify(headers, body, now=1000)
    for case_headers, case_body, now in (
        ({}, body, 1000),
        (sign("another-secret-12345", body, now=1000), body, 1000),
        (headers, body + b" ", 1000),
        (headers, body, 1000 + 301),
        (headers, body, 1000 - 301),
        ({**headers, "X-Signature-Timestamp": "abc"}, body, 1000),
    ):
        with pytest.raises(SignatureError):
            Verifier(SECRET).verify(case_headers, case_body, now=now)
    verifier = Verifier(SECRET)
    verifier.verify(headers, body, now=1000)
    with pytest.raises(SignatureError, match="genafspilning"):
        verifier.verify(headers, body, now=1001)


# The channels in process: a Sanic app with the channel registered as Rasa does, called
# over ASGI (sanic-testing is not installed), with a stand-in for the agent.
class EchoAgent:
    """Answers every message with its text and keeps what it was given."""

    tracker_store = None
    lock_store = None

    def __init__(self) -> None:
        self.messages: List[Any] = []

    async def handle_message(self, message: Any) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, message.text)


async def asgi_post(app: Sanic, path: str, body: bytes, headers: Dict[str, str]
                    ) -> Tuple[int, Any]:
    """(status, JSON body) of one POST to the started app over ASGI."""
    sent: List[Dict[str, Any]] = []
    incoming = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": path,
             "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json")]
             + [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    raw = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(raw)


async def asgi_calls(app: Sanic, calls: List[Tuple[str, bytes, Dict[str, str]]]
                     ) -> List[Tuple[int, Any]]:
    """(status, JSON body) for each POST, after the app's start (the ASGI lifespan)."""
    lifespan: asyncio.Queue = asyncio.Queue()
    started = asyncio.Event()

    async def lifespan_send(message: Dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    await lifespan.put({"type": "lifespan.startup"})
    running = asyncio.ensure_future(app({"type": "lifespan"}, lifespan.get, lifespan_send))
    await asyncio.wait_for(started.wait(), 10)
    try:
        return [await asgi_post(app, path, body, headers) for path, body, headers in calls]
    finally:
        # Sanic 21.12 handles a lifespan scope as a request once it is shut down;
        # nothing here listens for the shutdown, so the lifespan call is cancelled.
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


@pytest.fixture
def channels(monkeypatch):
    """`post(path, body, signed)` -> (status, answer); `.agent` saw the messages."""
    from bot.channels import rest, webhook

    for name in ("REDIS_URL", "PLATFORM_CALLBACK_URL", "MAX_REQUEST_BYTES",
                 "RATE_LIMIT_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLATFORM_WEBHOOK_SECRET", SECRET)
    # Log redaction is process-wide and tested on its own; the channels need not start it.
    monkeypatch.setattr(rest.log_redaction, "install", lambda **_: None)
    # What sanic-testing does: apps may start more than once in a process.
    monkeypatch.setattr(Sanic, "test_mode", True)

    class Client:
        agent = EchoAgent()

        def post_all(self, calls: List[Tuple[str, Any, Union[bool, bytes]]]
                     ) -> List[Tuple[int, Any]]:
            app = Sanic(f"test_public_{uuid.uuid4().hex}")
            app.ctx.agent = self.agent
            register([rest.RestInput(), webhook.PlatformWebhook()], app, "/webhooks/")
            requests = []
            for path, body, signed in calls:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
                signed_bytes = signed if isinstance(signed, bytes) else raw
                requests.append((path, raw, sign(SECRET, signed_bytes) if signed else {}))
            return asyncio.run(asgi_calls(app, requests))

        def post(self, path: str, body: Any, signed: Union[bool, bytes] = False
                 ) -> Tuple[int, Any]:
            """`signed`: True to sign the body sent, or the bytes to sign instead."""
            return self.post_all([(path, body, signed)])[0]

        def said(self) -> Optional[str]:
            return self.agent.messages[-1].text if self.agent.messages else None

    return Client()


REST = "/webhooks/rest/webhook"
PLATFORM = "/webhooks/platform/webhook"


@pytest.mark.parametrize("path, signed", [
    (REST, False), ("/webhooks/rest/delete", False), ("/webhooks/rest/feedback", False),
    (PLATFORM, True),
], ids=["rest", "delete", "feedback", "platform"])
@pytest.mark.parametrize("raw", TOO_DEEP_BODIES.values(), ids=TOO_DEEP_BODIES.keys())
def test_every_door_refuses_deep_json_with_400_in_danish(channels, path, signed, raw):
    assert channels.post(path, raw, signed) == (400, {"error": TOO_DEEP})
    assert channels.agent.messages == []


def test_surrogates_and_controls_in_message_and_metadata_get_an_answer(channels):
    raw = (b'{"sender": "' + SENDER.encode() + b'", "message": "hj\\u00e6lp\\ud800 til'
           b' min s\\u00f8n\\u0000\\u0007", "metadata": {"locale": "da\\udfff",'
           b' "page": "/b\\u00f8rn\\u0000"}}')
    status, answer = channels.post(REST, raw)
    assert status == 200 and answer[0]["text"] == "hjælp\ufffd til min søn"
    message = channels.agent.messages[-1]
    assert message.metadata == {"locale": "da\ufffd", "page": "/børn", "channel": "rest"}
    status, answer = channels.post(PLATFORM, raw, signed=True)
    assert status == 200 and answer["messages"][0]["text"] == "hjælp\ufffd til min søn"
    assert channels.agent.messages[-1].metadata["locale"] == "da\ufffd"


def test_an_id_with_a_surrogate_or_control_is_a_bad_field_not_a_failure(channels):
    for sender in ("\\ud800" * 20, SENDER + "\\udc00", SENDER + "\\u0000"):
        raw = b'{"sender": "%s", "message": "hej", "section": "x", "rating": "op"}' % (
            sender.encode())
        for path, signed in ((REST, False), ("/webhooks/rest/delete", False),
                             ("/webhooks/rest/feedback", False), (PLATFORM, True)):
            status, answer = channels.post(path, raw, signed)
            assert status == 400 and answer["field"] == "sender", (path, sender, answer)
    assert channels.agent.messages == []


def test_a_windows_1252_body_is_answered_on_both_channels_signed_over_its_bytes(channels):
    raw = b'{"sender": "' + SENDER.encode() + b'", "message": "min s\xf8n er syg"}'
    assert channels.post(REST, raw) == (200, [{"recipient_id": SENDER,
                                                "text": "min søn er syg"}])
    status, answer = channels.post(PLATFORM, raw, signed=True)
    assert status == 200 and answer["messages"] == [{"text": "min søn er syg"}]
    # The signature is over the bytes as sent: the same text in UTF-8 does not verify.
    utf8 = raw.decode("cp1252").encode("utf-8")
    assert channels.post(PLATFORM, utf8, signed=raw)[0] == 401
    assert channels.post(PLATFORM, raw, signed=utf8)[0] == 401
    assert len(channels.agent.messages) == 2


def test_a_body_with_bytes_that_are_no_text_is_answered_with_replacements(channels):
    raw = b'{"sender": "' + SENDER.encode() + b'", "message": "hej \x81\x8d"}'
    assert channels.post(REST, raw)[0] == 200
    assert channels.said() == "hej \ufffd\ufffd"
    assert channels.post(PLATFORM, raw, signed=True)[0] == 200
    assert channels.said() == "hej \ufffd\ufffd"


class FailingAgent(EchoAgent):
    async def handle_message(self, message: Any) -> None:
        raise RuntimeError("the conversation store is down")


def test_a_refused_message_that_describes_danger_still_says_112_first(channels, monkeypatch):
    monkeypatch.setenv("MAX_REQUEST_BYTES", "1024")
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    danger = "min far slår mig " + "og jeg er bange " * 100
    too_big = channels.post(REST, {"sender": SENDER, "message": danger})
    assert too_big[0] == 413 and too_big[1]["error"].startswith("Ring 112 nu. ")
    calm = channels.post(REST, {"sender": SENDER, "message": "x" * 2000})
    assert calm[0] == 413 and not calm[1]["error"].startswith("Ring 112")
    first, second = channels.post_all([(REST, {"sender": SENDER, "message": "hej"}, False),
                                       (REST, {"sender": SENDER, "message":
                                               "min søn vil tage sit liv"}, False)])
    assert first[0] == 200 and second[0] == 429
    assert second[1]["error"].startswith("Ring 112 nu. Du har sendt mange beskeder")
    channels.agent = FailingAgent()
    failed = channels.post(PLATFORM, {"sender": "sag-1", "message": "hun trækker ikke vejret"},
                           signed=True)
    assert failed[0] == 503 and failed[1]["error"].startswith("Ring 112 nu. ")
