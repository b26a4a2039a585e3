"""Request checks of the public channels and the request signatures (pure parts)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.public import (
    PLAIN_TEXT_GUARD,
    RateLimiter,
    RequestError,
    answered_sections,
    client_metadata,
    message_or_payload,
    offered_payloads,
    parse_body,
    plain_text,
)
from bot.signing import SignatureError, Verifier, sign

SECRET = "a-shared-secret-1234"


def test_bodies_are_checked_for_size_encoding_and_shape():
    assert parse_body(b'{"a": 1}', 100) == {"a": 1}
    for raw, status in ((b"x" * 101, 413), (b"", 400), (b"\xff\xfe", 400), (b"{", 400),
                        (b"[]", 400), (b"null", 400)):
        with pytest.raises(RequestError) as refused:
            parse_body(raw, 100)
        assert refused.value.status == status and refused.value.message


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
    for metadata in ({"admin": "1"}, {"locale": 5}, {"locale": "x" * 300}, ["locale"]):
        with pytest.raises(RequestError) as refused:
            client_metadata({"metadata": metadata}, ["locale"])
        assert refused.value.field == "metadata"


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
