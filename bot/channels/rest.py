"""The REST channel the web chat uses: `/webhooks/rest/`, locked down for the public.

- `GET /webhooks/rest/`: health.
- `POST /webhooks/rest/webhook` with `{"sender": id, "message": text}` or
  `{"sender": id, "payload": "/intent"}` (a quick reply the bot offered in this
  conversation) and optional `"metadata": {"locale": ..., "page": ...}`: the bot's
  messages as a JSON list, as Rasa's own REST channel returns them.
- `POST /webhooks/rest/delete` with `{"sender": id}`: the parent deletes their own
  conversation (the web chat's "Slet samtale").
- `POST /webhooks/rest/feedback` with `{"sender": id, "section": id, "rating": "op" |
  "ned"}`: thumbs up/down on an answer the bot gave in this conversation from that
  section, kept in the conversation (slot `answer_feedback`) for the staff's review
  report; 404 when the bot gave no such answer there.

The id is the key: the browser makes it at random (16-128 letters, digits, "-", "_")
and keeps it for the tab; a request without one is refused, never merged into a shared
conversation. Text starting with "/" is text, not an intent (`bot.channels.public`).
Bodies over MAX_REQUEST_BYTES get 413, JSON nested too deep or broken fields 400
(naming the field), and more than RATE_LIMIT_MESSAGES per RATE_LIMIT_SECONDS from one
sender 429 (counted in Redis across replicas when REDIS_URL is set). No text is refused
for its characters: a body that is not UTF-8 is read as Windows-1252 or with U+FFFD,
and message and metadata lose unpaired surrogates and control characters
(`clean_text`). A message that cannot be handled, for instance while the conversation
store is unreachable, gets 503 with a Danish "try again" the web chat shows. Errors are
JSON in Danish.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import log_redaction, settings, shared_state
from bot.channels.public import (
    RateLimiter,
    RequestError,
    answered_sections,
    client_metadata,
    message_or_payload,
    offered_payloads,
    parse_body,
    plain_text,
    required_string,
)
from bot.danger import DangerCheck
from bot.danger_file import DangerPatternError, load_patterns
from bot.knowledge import DANGER_FILE

logger = logging.getLogger(__name__)

# A refused message that describes danger still says this first (`PublicChannel.refuse`).
DANGER_FIRST = "Ring 112 nu."
SCAN_CHARS = 20_000  # what of a refused body the danger check reads
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{16,128}")
SECTION_ID = re.compile(r"[a-z0-9_-]{1,64}")
RATING = re.compile(r"op|ned")
FEEDBACK_SLOT = "answer_feedback"
METADATA_KEYS = ("locale", "page")
ERRORS = {
    "channel": "Samtalen kan ikke slettes herfra. Kontakt kommunen, hvis den skal slettes.",
    "store": "Samtalen kan ikke slettes lige nu. Prøv igen om lidt.",
    "payload": "Svarmuligheden hører ikke til denne samtale. Skriv dit svar i stedet.",
    "rate": "Du har sendt mange beskeder på kort tid. Vent lidt, og prøv igen.",
    "failure": "Beskeden kunne ikke behandles lige nu. Prøv igen om lidt.",
    "feedback": "Botten har ikke givet det svar i denne samtale.",
    "feedback_store": "Tilbagemeldingen kan ikke gemmes lige nu. Prøv igen om lidt.",
}


def error(message: str, status: int, field: Optional[str] = None,
          headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    body = {"error": message, **({"field": field} if field else {})}
    return response.json(body, status=status, headers=headers)


def danger_check(knowledge_dir: str) -> Optional[DangerCheck]:
    """The danger check the Rasa server's safety net uses, for refused messages."""
    try:
        return load_patterns(Path(knowledge_dir) / DANGER_FILE)
    except DangerPatternError:
        logger.exception("The danger patterns could not be read for the channels")
        return None


def conversation_store(tracker_store: Any) -> Any:
    """The store that can delete (`bot.tracker_store`), under Rasa's fail-safe wrapper."""
    store = tracker_store
    for _ in range(3):
        if hasattr(store, "delete") and hasattr(store, "input_channels"):
            return store
        store = getattr(store, "_tracker_store", None)
    return None


async def accepts_payload(request: Request, sender: str, payload: str) -> bool:
    """True when the bot offered this quick reply in its latest turn of the conversation."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender)
    return tracker is not None and payload in offered_payloads(tracker.events)


def rate_limited(limiter: RateLimiter, conversation: str) -> Optional[HTTPResponse]:
    """429 with Retry-After when the conversation is over its limit (counts this one)."""
    wait = limiter.retry_after(conversation)
    if not wait:
        return None
    return error(ERRORS["rate"], 429, headers={"Retry-After": str(int(wait) + 1)})


async def text_to_send(request: Request, limiter: RateLimiter, conversation: str,
                       message: Optional[str], payload: Optional[str]
                       ) -> Union[str, HTTPResponse]:
    """What goes to the bot, or the refusal: the rate limit, then the payload rule (only
    a quick reply the bot offered), then typed text as plain text."""
    refused = rate_limited(limiter, conversation)
    if refused:
        return refused
    if payload is None:
        return plain_text(message or "")
    if not await accepts_payload(request, conversation, payload):
        return error(ERRORS["payload"], 400, "payload")
    return payload


async def answer(on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
                 sender: str, channel: str, metadata: Dict[str, Any]
                 ) -> Optional[list]:
    """The bot's messages for one message, or None when handling it failed."""
    collector = CollectingOutputChannel()
    try:
        await on_new_message(UserMessage(text, collector, sender, input_channel=channel,
                                         metadata=metadata))
    except Exception:
        logger.exception("A message could not be handled")
        return None
    return collector.messages


class PublicChannel(InputChannel):
    """What the public channels share: settings, body limit, rate limiter, the danger
    check for refusals, and the blueprint they start from (abstract: Rasa builds only
    the subclasses)."""

    def __init__(self) -> None:
        self.config = settings.load()
        self.danger = danger_check(self.config.knowledge_dir)
        self.max_bytes = self.config.max_request_bytes
        self.redis = shared_state.connect(self.config.redis_url) if self.config.clustered \
            else None
        self.limiter: Any = (
            shared_state.RedisRateLimiter(self.redis, self.config.rate_limit_messages,
                                          self.config.rate_limit_seconds)
            if self.redis is not None
            else RateLimiter(self.config.rate_limit_messages, self.config.rate_limit_seconds))

    def refuse(self, refusal: HTTPResponse, said: Union[str, bytes, None]) -> HTTPResponse:
        """`refusal`, with "Ring 112 nu." first when what was sent describes danger:
        a message refused for its size, its rate or a failure still gets 112."""
        text = said.decode("utf-8", "replace") if isinstance(said, bytes) else said or ""
        text = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)  # a body's "sl\u00e5r"
        if not text or not self.danger or not self.danger.match(text[:SCAN_CHARS]):
            return refusal
        body = json.loads(refusal.body or b"{}")
        body["error"] = f"{DANGER_FIRST} {body.get('error', '')}".strip()
        return response.json(body, status=refusal.status, headers=dict(refusal.headers))

    def new_blueprint(self) -> Blueprint:
        # The Rasa server builds its channels once at start: redact its logs from here
        # on, even if the conversation store (which does the same) failed to load.
        log_redaction.install(names=self.config.privacy_redact_names)
        return Blueprint(f"{self.name()}_webhook", __name__)


class RestInput(PublicChannel):
    """REST channel of the bot (credentials.yml: `bot.channels.rest.RestInput`)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                  ) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = parse_body(request.body, self.max_bytes)
                sender = required_string(body, "sender", CONVERSATION_ID)
                message, payload = message_or_payload(body, self.max_bytes)
                metadata = client_metadata(body, METADATA_KEYS)
            except RequestError as problem:
                return self.refuse(error(problem.message, problem.status, problem.field),
                                   request.body)
            text = await text_to_send(request, self.limiter, sender, message, payload)
            if isinstance(text, HTTPResponse):
                return self.refuse(text, message)
            messages = await answer(on_new_message, text, sender, self.name(),
                                    {**metadata, "channel": self.name()})
            if messages is None:
                return self.refuse(error(ERRORS["failure"], 503), message)
            return response.json(messages)

        @webhook.route("/delete", methods=["POST"])
        async def delete(request: Request) -> HTTPResponse:
            try:
                sender = required_string(parse_body(request.body, self.max_bytes), "sender",
                                         CONVERSATION_ID)
            except RequestError as problem:
                return error(problem.message, problem.status, problem.field)
            agent = getattr(request.app.ctx, "agent", None)
            store = conversation_store(getattr(agent, "tracker_store", None))
            if agent is None or store is None:
                return error(ERRORS["store"], 503)
            try:
                # The conversation's lock: a message being answered finishes first.
                async with agent.lock_store.lock(sender):
                    channels = await store.input_channels(sender)
                    if channels - {self.name()}:
                        return error(ERRORS["channel"], 403)
                    removed = await store.delete(sender) if channels else 0
            except Exception:
                logger.exception("A conversation could not be deleted")
                return error(ERRORS["store"], 503)
            return response.json({"deleted": removed > 0})

        @webhook.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            try:
                body = parse_body(request.body, self.max_bytes)
                sender = required_string(body, "sender", CONVERSATION_ID)
                section = required_string(body, "section", SECTION_ID, max_chars=64)
                rating = required_string(body, "rating", RATING, max_chars=3)
            except RequestError as problem:
                return error(problem.message, problem.status, problem.field)
            refused = rate_limited(self.limiter, sender)
            if refused:
                return refused
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return error(ERRORS["feedback_store"], 503)
            try:
                async with agent.lock_store.lock(sender):
                    tracker = await agent.tracker_store.retrieve(sender)
                    if tracker is None or section not in answered_sections(tracker.events):
                        return error(ERRORS["feedback"], 404, "section")
                    tracker.update(SlotSet(FEEDBACK_SLOT, {"section": section,
                                                           "rating": rating}))
                    await agent.tracker_store.save(tracker)
            except Exception:
                logger.exception("Feedback could not be stored")
                return error(ERRORS["feedback_store"], 503)
            return response.json({"received": True})

        return webhook
