"""Rasa's REST channel plus the parent's own deletion of the conversation.

Same endpoints as `rasa.core.channels.rest.RestInput` (`GET /webhooks/rest/` for health,
`POST /webhooks/rest/webhook` for messages) and one more:

`POST /webhooks/rest/delete` with `{"sender": "<conversation id>"}` deletes that
conversation from the conversation store. It is what the web chat's "Slet samtale"
calls. The id works as the key: the browser made it at random and keeps it for the tab,
so only that tab knows it. The endpoint accepts only ids of that shape (16-128 letters,
digits, "-" or "_") and only conversations held through this channel, so it cannot
remove a conversation that came through another channel or a guessable id. Callback
requests the parent submitted stay (see the README).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import log_redaction, settings

logger = logging.getLogger(__name__)

CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{16,128}")
ERRORS = {
    "body": "Forespørgslen skal være JSON med feltet \"sender\".",
    "id": "Samtale-id'et er ugyldigt.",
    "channel": "Samtalen kan ikke slettes herfra. Kontakt kommunen, hvis den skal slettes.",
    "store": "Samtalen kan ikke slettes lige nu. Prøv igen om lidt.",
}


def _extract_delete_sender(request: Request) -> Optional[str]:
    try:
        body = request.json
    except Exception:  # sanic raises on a body that is not JSON
        return None
    sender = body.get("sender") if isinstance(body, dict) else None
    return sender if isinstance(sender, str) else None


def _conversation_store(tracker_store: Any) -> Any:
    """The store that can delete (`bot.tracker_store`), under Rasa's fail-safe wrapper."""
    store = tracker_store
    for _ in range(3):
        if hasattr(store, "delete") and hasattr(store, "input_channels"):
            return store
        store = getattr(store, "_tracker_store", None)
    return None


def _error(kind: str, status: int) -> HTTPResponse:
    return response.json({"error": ERRORS[kind]}, status=status)


class RestInput(RasaRestInput):
    """REST channel of the bot (credentials.yml: `bot.channels.rest.RestInput`)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]
                  ) -> Blueprint:
        # The Rasa server builds its channels once at start: redact its logs from here
        # on, even if the conversation store (which does the same) failed to load.
        log_redaction.install(names=settings.load().privacy_redact_names)
        webhook = super().blueprint(on_new_message)

        @webhook.route("/delete", methods=["POST"])
        async def delete(request: Request) -> HTTPResponse:
            sender = _extract_delete_sender(request)
            if sender is None:
                return _error("body", 400)
            if not CONVERSATION_ID.fullmatch(sender):
                return _error("id", 400)
            agent = getattr(request.app.ctx, "agent", None)
            store = _conversation_store(getattr(agent, "tracker_store", None))
            if agent is None or store is None:
                return _error("store", 503)
            try:
                # The conversation's lock: a message being answered finishes first.
                async with agent.lock_store.lock(sender):
                    channels = await store.input_channels(sender)
                    if channels - {self.name()}:
                        return _error("channel", 403)
                    removed = await store.delete(sender) if channels else 0
            except Exception:
                logger.exception("A conversation could not be deleted")
                return _error("store", 503)
            return response.json({"deleted": removed > 0})

        return webhook
