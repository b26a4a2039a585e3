"""A custom action whose server is down, broken or slow: the parent gets the apology with
the centre chief's number (bot.action_fallback), against real local HTTP servers."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_fallback
from tests.support.servers import free_port


class _Handler(BaseHTTPRequestHandler):
    delay = 0.0
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        body = b'{"events": [], "responses": [{"text": "Svar fra handlingen"}]}'
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def action_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    _Handler.delay, _Handler.status = 0.0, 200


def run_action(url: str, name: str = "action_answer_section") -> List[BotUttered]:
    domain = Domain.from_dict({"actions": [name]})
    action = RemoteAction(name, EndpointConfig(url))
    tracker = DialogueStateTracker("samtale", domain.slots)
    events = asyncio.run(action.run(CollectingOutputChannel(),
                                    TemplatedNaturalLanguageGenerator({}), tracker, domain))
    return [e for e in events if isinstance(e, BotUttered)]


def test_a_working_action_server_answers_as_before(action_server):
    action_fallback.install(timeout_seconds=5)
    [message] = run_action(f"http://127.0.0.1:{action_server.server_port}/webhook")
    assert message.text == "Svar fra handlingen"


@pytest.mark.parametrize("problem", ["down", "error", "slow"])
def test_down_broken_or_slow_gives_the_apology_with_the_centre_chief(action_server, problem):
    action_fallback.install(timeout_seconds=1)
    url = f"http://127.0.0.1:{action_server.server_port}/webhook"
    if problem == "down":
        url = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    elif problem == "error":
        _Handler.status = 500
    else:
        _Handler.delay = 3
    started = time.monotonic()
    [message] = run_action(url)
    assert time.monotonic() - started < 2.5
    assert message.text.startswith("Beklager, jeg kan ikke svare lige nu.")
    assert "20 67 42 14" in message.text and "112" in message.text
    assert message.data["custom"]["contact"]["id"] == "centerchef"


def test_when_the_danger_answer_itself_fails_112_comes_first():
    action_fallback.install(timeout_seconds=1)
    [message] = run_action(f"http://127.0.0.1:{free_port()}/webhook", "action_acute_danger")
    assert message.text.startswith("Ring 112 nu.")
    assert "20 67 42 14" in message.text


def test_the_close_call_threshold_is_config_ymls_fallback_threshold():
    import yaml

    from actions.fallback import FALLBACK_THRESHOLD
    from tests.conftest import PROJECT_ROOT
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = [c for c in config["pipeline"] if c["name"] == "FallbackClassifier"]
    assert fallback and fallback[0]["threshold"] == FALLBACK_THRESHOLD
