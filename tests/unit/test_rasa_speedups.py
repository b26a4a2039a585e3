"""The cached validation of action server responses accepts and refuses as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "last_section", "value": "inklusion"}],
        "responses": [{"text": "Hej", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]}
BAD = [
    {"events": "not a list"},
    {"events": [{"name": "no event type"}]},
    {"events": [{"event": "no-such-event"}]},
    {"responses": "text"},
    {"events": [{"name": "x"}], "responses": "text"},  # several errors: the same one
]


def test_good_responses_pass_and_bad_ones_fail_as_with_jsonschema_validate():
    schema = RemoteAction.action_response_format_spec()
    rasa_speedups.install()
    rasa_speedups.install()  # twice is once
    action = RemoteAction("action_answer_section", None)
    assert action._validate_action_result(GOOD) is True
    validate(GOOD, schema)
    for response in BAD:
        with pytest.raises(ValidationError) as cached:
            action._validate_action_result(response)
        with pytest.raises(ValidationError) as plain:
            validate(response, schema)
        assert cached.value.message.startswith(plain.value.message)
        assert list(cached.value.path) == list(plain.value.path)
        assert "Failed to validate Action server response" in cached.value.message


def test_event_lookup_finds_the_class_rasa_finds_for_every_event_name():
    from rasa.shared.core.events import Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    walked = {}
    for cls in all_subclasses(Event):
        walked.setdefault(cls.type_name, cls)
    rasa_speedups.install()
    assert walked and all(Event.resolve_by_type(name) is cls for name, cls in walked.items())
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="no-such-event"):
        Event.resolve_by_type("no-such-event")
    stored = UserUttered("hej", {"name": "greet", "confidence": 1.0}).as_dict()
    assert Event.from_parameters(stored) == UserUttered.from_parameters(stored)


def test_an_event_class_defined_later_is_found_too():
    from rasa.shared.core.events import Event, SlotSet

    rasa_speedups.install()

    class LaterEvent(SlotSet):
        type_name = "herning_later_event"

    assert Event.resolve_by_type("herning_later_event") is LaterEvent
