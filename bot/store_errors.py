"""When the conversation store cannot be reached, the message fails visibly.

Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error
answers "no such conversation" and keeps the new events in the memory of that one
process. For this bot that is the wrong trade: the parent halfway through a callback
form would be answered as a stranger, and their words would be lost to the other
replicas and to the store when it returns. `install()` makes the wrapper raise
`StoreUnavailable` instead, for stores that ask for it (`strict = True`, as
`bot.tracker_store.RedactingTrackerStore` does); the channel then answers 503 with a
Danish message the web chat shows, and the next message, once the database is back,
continues the stored conversation.

Called when the conversation store is created in the Rasa server; nothing changes
at import.
"""

from __future__ import annotations

from typing import Any, Callable

from rasa.shared.exceptions import RasaException

_INSTALLED = "_herning_strict_store"


class StoreUnavailable(RasaException):
    """The conversation store could not be read or written just now."""


def _strict(original: Callable[[Any, Exception], None], doing: str
            ) -> Callable[[Any, Exception], None]:
    def handler(self: Any, error: Exception) -> None:
        if getattr(self._tracker_store, "strict", False):
            raise StoreUnavailable(f"The conversation store could not {doing}: "
                                   f"{type(error).__name__}") from error
        original(self, error)

    return handler


def install() -> None:
    """Make Rasa's fail-safe wrapper raise for strict stores (idempotent)."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore, _INSTALLED, False):
        return
    FailSafeTrackerStore.on_tracker_store_error = _strict(
        FailSafeTrackerStore.on_tracker_store_error, "be written")
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _strict(
        FailSafeTrackerStore.on_tracker_store_retrieve_error, "be read")
    setattr(FailSafeTrackerStore, _INSTALLED, True)
