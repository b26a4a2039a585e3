"""When the action server is down or slow, the parent still gets an answer.

Rasa 3.6 logs a failed custom action and sends the parent nothing: a worried parent sees
the chat go silent. `install()` wraps Rasa's `RemoteAction.run` so that a connection
error, an action server error or no answer within ACTION_TIMEOUT_SECONDS becomes a short
Danish apology with the default contact (the centre chief) and 112 for acute danger,
with the contact card as the bot's other answers carry it; when the failed action was
the acute-danger answer itself, "Ring 112 nu" comes first. A form's own rejection
(`ActionExecutionRejection`) is left to Rasa, as before.

Called when the conversation store is created in the Rasa server (`bot.tracker_store`);
nothing changes at import.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

logger = logging.getLogger(__name__)

_INSTALLED = "_herning_action_fallback"


DANGER_ACTION = "action_acute_danger"


def apology(action_name: str = "") -> Dict[str, Any]:
    """The bot message for a failed action: text and the contact card (BotUttered data).
    When the failed action was the acute-danger answer, 112 comes first."""
    from bot.knowledge import KnowledgeError, load_knowledge
    from bot.replies import contact_payload, contact_sentence

    first = ("Ring 112 nu. Beklager, jeg kan ikke svare mere lige nu."
             if action_name == DANGER_ACTION
             else "Beklager, jeg kan ikke svare lige nu.")
    last = "" if action_name == DANGER_ACTION else " Er et barn i akut fare, så ring 112."
    try:
        contact = load_knowledge().default_contact
    except KnowledgeError:
        return {"text": f"{first} Prøv igen om lidt.{last}"}
    return {
        "text": f"{first} Ring til {contact_sentence(contact)}, eller prøv igen om lidt.{last}",
        "data": {"custom": contact_payload(contact)},
    }


def install(timeout_seconds: float) -> None:
    """Wrap `RemoteAction.run` (idempotent): failures and timeouts answer with `apology()`."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    if getattr(RemoteAction, _INSTALLED, None) is not None:
        setattr(RemoteAction, _INSTALLED, timeout_seconds)
        return
    original = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any
                  ) -> List[Any]:
        limit = getattr(RemoteAction, _INSTALLED)
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain),
                                          timeout=limit)
        except ActionExecutionRejection:
            raise
        except (RasaException, asyncio.TimeoutError) as error:
            reason = "timed out" if isinstance(error, asyncio.TimeoutError) else "failed"
            logger.error("Custom action %s %s (%s); the parent gets the apology",
                         self.name(), reason, error.__class__.__name__)
            message = apology(self.name())
            return [BotUttered(message["text"], message.get("data"),
                               metadata={"utter_action": "action_server_unavailable"})]

    RemoteAction.run = run
    setattr(RemoteAction, _INSTALLED, timeout_seconds)
