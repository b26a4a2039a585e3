"""Webhook channel for the municipality's other platforms: `/webhooks/platform/`.

`POST /webhooks/platform/webhook`, signed (see `bot.signing`) with the shared secret
PLATFORM_WEBHOOK_SECRET, with a JSON body:

    {"sender": "<the platform's conversation id>", "message": "Hvad er tidlig indsats?",
     "metadata": {"locale": "da-DK", "platform": "borger-app"}, "async": false}

(`payload` instead of `message` for a quick reply the bot offered). The answer is
`{"sender": ..., "messages": [...]}` in the reply protocol. With `"async": true` (and
PLATFORM_CALLBACK_URL set) the channel answers 202 at once and posts the same JSON,
signed the same way, to the callback address, retrying with back-off while it fails.

Unsigned, wrongly signed, stale (older than SIGNATURE_TOLERANCE_SECONDS) and replayed
requests get 401 before anything reaches the bot. The signature is checked over the raw
bytes as received; only then is the body read as text, as on the REST channel
(Windows-1252 or U+FFFD for bytes that are not UTF-8, `clean_text` on the fields). The
platform's conversation id is kept as `platform:<id>`, so no other channel can reach
that conversation; channel, locale and the platform's id go into the message metadata.
The OpenAPI description is docs/webhook-openapi.yml; the README has an integration guide.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import shared_state
from bot.channels.public import (
    RequestError,
    client_metadata,
    message_or_payload,
    parse_body,
    required_string,
)
from bot.channels.rest import ERRORS, PublicChannel, answer, error, text_to_send
from bot.signing import SignatureError, Verifier, sign

logger = logging.getLogger(__name__)

PLATFORM_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
METADATA_KEYS = ("locale", "platform", "page")
PREFIX = "platform:"
DISABLED = "Webhook-kanalen er ikke slået til (PLATFORM_WEBHOOK_SECRET mangler)."

# Replies being posted in the background; kept so they are not garbage-collected.
_posting: Set[asyncio.Task] = set()


def reply_body(sender: str, messages: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The channel's answer: the platform's id and the messages without Rasa's ids."""
    return {"sender": sender,
            "messages": [{k: v for k, v in m.items() if k != "recipient_id"}
                         for m in messages]}


class CallbackClient:
    """Posts signed asynchronous replies to the platform, retrying with back-off."""

    def __init__(self, url: str, secret: str, attempts: int, backoff: float,
                 timeout: float) -> None:
        self.url, self.secret = url, secret
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout

    async def post(self, body: Dict[str, Any]) -> bool:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        for attempt in range(1, self.attempts + 1):
            headers = {"Content-Type": "application/json", **sign(self.secret, raw)}
            try:
                timeout = aiohttp.ClientTimeout(total=self.timeout)
                async with aiohttp.ClientSession(timeout=timeout) as session, \
                        session.post(self.url, data=raw, headers=headers) as reply:
                    if 200 <= reply.status < 300:
                        return True
                    problem = f"HTTP {reply.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as failure:
                problem = type(failure).__name__
            logger.warning("Reply to the platform not delivered (attempt %d of %d): %s",
                           attempt, self.attempts, problem)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        logger.error("Reply to the platform given up after %d attempts", self.attempts)
        return False


class PlatformWebhook(PublicChannel):
    """credentials.yml: `bot.channels.webhook.PlatformWebhook`; secrets from the env."""

    @classmethod
    def name(cls) -> str:
        return "platform"

    def __init__(self) -> None:
        super().__init__()
        config = self.config
        secret = config.platform_webhook_secret
        seen = shared_state.RedisReplayCache(self.redis) if self.redis is not None else None
        self.verifier = (Verifier(secret, config.signature_tolerance_seconds, seen)
                         if secret else None)
        self.callback: Optional[CallbackClient] = None
        if secret and config.platform_callback_url:
            self.callback = CallbackClient(config.platform_callback_url, secret,
                                           config.notify_attempts,
                                           config.notify_backoff_seconds, config.smtp_timeout)

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        """Channel, locale and the platform's own conversation id, for the tracker."""
        body = request.ctx.body
        return {**client_metadata(body, METADATA_KEYS), "channel": self.name(),
                "platform_conversation_id": body["sender"]}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                  ) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.verifier else "disabled"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.verifier is None:
                return error(DISABLED, 503)
            if len(request.body) > self.max_bytes:
                return error(f"Forespørgslen er for stor (højst {self.max_bytes} bytes).", 413)
            try:
                self.verifier.verify(request.headers, request.body)
            except SignatureError as refused:
                return error(str(refused), 401)
            except shared_state.SharedStateUnavailable:
                return error(ERRORS["failure"], 503)
            try:
                body = parse_body(request.body, self.max_bytes)
                sender = required_string(body, "sender", PLATFORM_ID)
                message, payload = message_or_payload(body, self.max_bytes)
                request.ctx.body = body
                metadata = self.get_metadata(request) or {}
                wants_async = body.get("async", False)
                if not isinstance(wants_async, bool):
                    raise RequestError(400, "Feltet \"async\" skal være true eller false.",
                                       "async")
                if wants_async and self.callback is None:
                    raise RequestError(400, "Asynkrone svar er ikke slået til "
                                       "(PLATFORM_CALLBACK_URL mangler).", "async")
            except RequestError as problem:
                return self.refuse(error(problem.message, problem.status, problem.field),
                                   request.body)
            conversation = PREFIX + sender
            checked = await text_to_send(request, self.limiter, conversation, message, payload)
            if isinstance(checked, HTTPResponse):
                return self.refuse(checked, message)
            text = checked

            if wants_async and self.callback is not None:
                callback = self.callback

                async def reply_later() -> None:
                    messages = await answer(on_new_message, text, conversation, self.name(),
                                            metadata)
                    if messages is not None:
                        await callback.post(reply_body(sender, messages))

                task = asyncio.get_running_loop().create_task(reply_later())
                _posting.add(task)
                task.add_done_callback(_posting.discard)
                return response.json({"sender": sender, "accepted": True}, status=202)

            messages = await answer(on_new_message, text, conversation, self.name(), metadata)
            if messages is None:
                return self.refuse(error(ERRORS["failure"], 503), text)
            return response.json(reply_body(sender, messages))

        return webhook
