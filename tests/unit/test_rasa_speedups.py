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
