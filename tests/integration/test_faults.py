"""Faults a parent must not notice as silence: the action server slow, stopped, and back.

Its own Rasa server, whose action endpoint first points at a local HTTP server that
answers too slowly, then at nothing, then at a real action server started on that port.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from bot.settings import PROJECT_ROOT
from tests.integration.conftest import (
    VENV_BIN,
    custom_ids,
    free_port,
    newest_model,
    rasa_env,
    start_rasa,
    stop,
    texts,
    wait_for,
)

pytestmark = pytest.mark.live

TIMEOUT_SECONDS = 3


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(TIMEOUT_SECONDS * 4)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def rasa(tmp_path_factory) -> Iterator[Dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("faults")
    port, action_port = free_port(), free_port()
    env = rasa_env(RASA_PORT=str(port), TRACKER_DB=str(workdir / "conversations.db"),
                   ACTION_PORT=str(action_port), SANIC_HOST="127.0.0.1",
                   ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
                   ACTION_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS), ACTION_SERVER_TOKEN="")
    process, log = start_rasa(workdir, env, port, newest_model(), name="rasa-faults")
    try:
        wait_for(f"http://127.0.0.1:{port}/", process, log)
        yield {"url": f"http://127.0.0.1:{port}/webhooks/rest/webhook",
               "action_port": action_port, "env": env, "workdir": workdir}
    finally:
        stop([process])


def say(rasa: Dict[str, Any], text: str, sender: str) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(rasa["url"], data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def assert_apology(reply: List[Dict[str, Any]]) -> None:
    shown = " ".join(texts(reply))
    assert shown.startswith("Beklager, jeg kan ikke svare lige nu."), reply
    assert "20 67 42 14" in shown and "112" in shown
    assert "centerchef" in custom_ids(reply, "contact")


def test_slow_stopped_and_restarted_action_server(rasa):
    sender = f"test-{uuid.uuid4().hex}"
    slow = ThreadingHTTPServer(("127.0.0.1", rasa["action_port"]), _Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        assert_apology(say(rasa, "Hvad er tidlig indsats?", sender))
        assert time.monotonic() - started < TIMEOUT_SECONDS * 3
    finally:
        slow.shutdown()
        slow.server_close()

    # Nothing listens: the apology at once, the same conversation.
    assert_apology(say(rasa, "Hvad er tidlig indsats?", sender))

    # The action server is back: the same conversation is answered from its section.
    log = rasa["workdir"] / "actions.log"
    actions = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "bot.action_server", "--actions", "actions",
         "--port", str(rasa["action_port"])],
        cwd=PROJECT_ROOT, env=rasa["env"], stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{rasa['action_port']}/health", actions, log)
        reply = say(rasa, "Hvad er tidlig indsats?", sender)
        assert custom_ids(reply, "source") == ["tidlig-indsats"], reply
    finally:
        stop([actions])
