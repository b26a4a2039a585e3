"""Measured fixes for the largest avoidable costs of a turn in Rasa 3.6.

1. Rasa turns every stored event back into an object with `Event.resolve_by_type`,
which walks the whole tree of Event subclasses (about 30 classes, recursively, with an
`inspect.isabstract` check each) to find the one with that type name: 62 times per
message on this bot's conversations, about 10 ms of the 82 ms a message costs the Rasa
server (profiled with `python -m benchmarks.profile_request`). `install()` looks the
name up in a table built once, rebuilt if a name is not found (a class defined later).

2. Rasa checks every action server response with `jsonschema.validate(result, schema)`,
which first validates the *schema itself* against the JSON Schema meta-schema: about
19 ms of CPU per custom action call on this project's machine, several times per turn
(the notice hook, the answer, every form step). `install()` builds the validator for
the same schema once and uses it for every response: about 0.3 ms, with the same
errors for a malformed response. Measured with `python -m bot.rasa_speedups`.

Called when the conversation store is created in the Rasa server (`bot.tracker_store`);
nothing changes at import.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Optional, Type

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

_INSTALLED = "_herning_cached_validator"


def install() -> None:
    """Both fixes (idempotent)."""
    _install_event_lookup()
    _install_cached_validator()


def _install_event_lookup() -> None:
    """Find an event class by its type name in a table, not a walk of the class tree."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if getattr(Event, _INSTALLED, None) is not None:
        return
    table: Dict[str, Any] = {}

    def build() -> None:
        table.clear()
        for cls in all_subclasses(Event):  # Rasa's order: the first class wins
            table.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None
                        ) -> Optional[Type[Event]]:
        found = table.get(type_name)
        if found is None:
            build()
            found = table.get(type_name)
        if found is not None:
            return found
        if type_name == "topic":
            return None  # Rasa's backwards compatibility for old TopicSet events
        if default is not None:
            return default
        raise ValueError(f"Unknown event name '{type_name}'.")

    build()
    Event.resolve_by_type = staticmethod(resolve_by_type)
    setattr(Event, _INSTALLED, table)


def _install_cached_validator() -> None:
    """Validate action server responses with a validator built once."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, _INSTALLED, None) is not None:
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        # As `jsonschema.validate` does, without checking the schema again: the most
        # relevant of the errors, if any.
        try:
            error = best_match(validator.iter_errors(result))
            if error is not None:
                raise error
            return True
        except ValidationError as e:  # the message Rasa gives
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                "For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result
    setattr(RemoteAction, _INSTALLED, validator)


def main() -> None:
    """Time Rasa's own lookups and checks and the installed ones."""
    from rasa.shared.core.events import Event

    names = ["user", "bot", "action", "slot", "active_loop", "session_started"] * 50
    start = time.perf_counter()
    for name in names:
        Event.resolve_by_type(name)
    walked = (time.perf_counter() - start) / len(names) * 1000
    _install_event_lookup()
    start = time.perf_counter()
    for name in names:
        Event.resolve_by_type(name)
    looked_up = (time.perf_counter() - start) / len(names) * 1000
    print(f"Event.resolve_by_type: {walked:.3f} ms per event; table: {looked_up:.4f} ms")

    from jsonschema import validate
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    result = {"events": [{"event": "slot", "name": "last_section", "value": "inklusion"}],
              "responses": [{"text": "Herning Kommune ... " * 20, "custom": {"source": {}}}]}
    rounds = 50
    start = time.perf_counter()
    for _ in range(rounds):
        validate(result, schema)
    plain = (time.perf_counter() - start) / rounds * 1000
    install()
    start = time.perf_counter()
    for _ in range(rounds):
        RemoteAction("x", None)._validate_action_result(result)
    cached = (time.perf_counter() - start) / rounds * 1000
    print(f"jsonschema.validate: {plain:.1f} ms per response; cached validator: "
          f"{cached:.2f} ms")


if __name__ == "__main__":
    main()
