"""The webhook channel against its OpenAPI description (docs/webhook-openapi.yml).

Representative requests must get a documented status with a body of the documented
shape; then Hypothesis generates 1,000 requests (well-formed, malformed, hostile, signed
and not) and none may get a 5xx or an undocumented answer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Optional, Tuple

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import PROJECT_ROOT
from bot.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.integration.conftest import PLATFORM_SECRET, Bot

pytestmark = pytest.mark.live

SPEC = yaml.safe_load((PROJECT_ROOT / "docs" / "webhook-openapi.yml").read_text("utf-8"))
PATH = "/webhooks/platform/webhook"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema (`nullable` becomes a null type)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


COMPONENTS = _json_schema(SPEC["components"])


def validator(schema: Dict[str, Any]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator({**schema, "components": COMPONENTS})


def response_schema(status: int) -> Optional[Dict[str, Any]]:
    responses = SPEC["paths"][PATH]["post"]["responses"]
    documented = responses.get(str(status))
    if documented is None:
        return None
    if "$ref" in documented:
        documented = SPEC["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    return _json_schema(documented["content"]["application/json"]["schema"])


def send(bot: Bot, raw: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
    url = bot.url.replace("/webhooks/rest/webhook", PATH)
    request = urllib.request.Request(url, data=raw, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, body


def check_documented(status: int, body: Any) -> None:
    assert status < 500, (status, body)
    schema = response_schema(status)
    assert schema is not None, f"undocumented status {status}: {body!r}"[:300]
    errors = sorted(validator(schema).iter_errors(body), key=str)
    assert not errors, (status, body, [e.message for e in errors])


def test_representative_requests_get_documented_answers(bot):
    request_schema = validator({"$ref": "#/components/schemas/Request"})
    sender = f"kontrakt-{uuid.uuid4().hex[:8]}"
    cases = [
        ({"sender": sender, "message": "Hvad er tidlig indsats?"}, "valid", 200),
        ({"sender": sender, "message": "Hvem kan jeg ringe til?",
          "metadata": {"locale": "da-DK"}}, "valid", 200),
        ({"sender": sender, "message": "Hvad er tandpleje?", "async": True}, "valid", 202),
        ({"sender": sender}, "valid", 400),
        ({"sender": sender, "payload": "/acute_danger"}, "valid", 400),
        ({"sender": sender, "message": "hej"}, "unsigned", 401),
        ({"sender": sender, "message": "x" * 20000}, "valid", 413),
    ]
    for body, signing, expected in cases:
        raw = json.dumps(body).encode("utf-8")
        if expected in (200, 202):
            assert not list(request_schema.iter_errors(body)), body
        headers = sign(PLATFORM_SECRET, raw) if signing == "valid" else {}
        status, answer = send(bot, raw, headers)
        assert status == expected, (body, answer)
        check_documented(status, answer)


# Generated requests.
texts = st.text(max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12)
senders = st.one_of(st.from_regex(r"\A[A-Za-z0-9_.:@-]{1,40}\Z"), texts, json_values)
requests = st.fixed_dictionaries(
    {"sender": senders},
    optional={
        "message": st.one_of(texts, st.sampled_from(["/restart", "/acute_danger",
                                                       "<script>alert(1)</script>",
                                                       "Hvad er tidlig indsats?"]),
                             json_values),
        "payload": st.one_of(st.sampled_from(["/request_person", "/greet"]), json_values),
        "metadata": st.one_of(
            st.fixed_dictionaries({}, optional={"locale": texts, "platform": texts}),
            json_values),
        "async": st.one_of(st.booleans(), json_values),
    })
bodies = st.one_of(
    requests.map(lambda body: json.dumps(body).encode("utf-8")),
    json_values.map(lambda value: json.dumps(value).encode("utf-8")),
    st.binary(max_size=400),
)


@settings(max_examples=1000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=bodies, signing=st.sampled_from(["valid", "valid", "valid", "missing", "wrong",
                                            "stale", "tampered"]))
def test_a_thousand_generated_requests_get_no_5xx(bot, raw, signing):
    headers: Dict[str, str] = {}
    if signing == "valid":
        headers = sign(PLATFORM_SECRET, raw)
    elif signing == "wrong":
        headers = sign("not-the-platform-secret!", raw)
    elif signing == "stale":
        headers = sign(PLATFORM_SECRET, raw, time.time() - 10_000)
    elif signing == "tampered":
        headers = sign(PLATFORM_SECRET, raw + b" ")
    if signing != "missing":
        assert TIMESTAMP_HEADER in headers and SIGNATURE_HEADER in headers
    status, answer = send(bot, raw, headers)
    check_documented(status, answer)  # never a 5xx, always a documented answer
