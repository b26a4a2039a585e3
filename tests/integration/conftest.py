"""Start the real action server and the real Rasa server on free loopback ports.

The servers run the newest model in models/ (`make test` trains one first when the
data changed) with a SQLite conversation store in a temporary folder, both at DEBUG
log level.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from bot.handoff_store import HandoffStore
from bot.settings import PROJECT_ROOT
from tests.support import cluster
from tests.support.servers import MailServer, StartError, TcpProxy, WebhookReceiver

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
STARTUP_SECONDS = 180


def newest_model() -> Path:
    try:
        return cluster.newest_model()
    except StartError as missing:
        pytest.fail(f"{missing} (make test trains one first)")


def rasa_env(**overrides: str) -> Dict[str, str]:
    """The environment every Rasa process in the tests runs with."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           **overrides}
    env.setdefault("SPACY_MODEL", "build/spacy/da_herning")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_rasa(workdir: Path, env: Dict[str, str], port: int, model: Path, *extra: str,
               name: str = "rasa") -> Tuple[subprocess.Popen, Path]:
    """`rasa run` on a loopback port at DEBUG, started as scripts/run.sh starts it
    (`bot.rasa_run`: the HTTP API is on when RASA_API_JWT_SECRET is set); its log."""
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "bot.rasa_run", "--model", str(model),
         "--interface", "127.0.0.1", "--port", str(port),
         "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--debug",
         *extra],
        # Sanic's own cap on bodies, for the Rasa server only (as scripts/run.sh).
        cwd=PROJECT_ROOT, env={**env, "SANIC_REQUEST_MAX_SIZE": "1048576"},
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    return process, log


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited early:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"{url} did not start in {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")


WEBHOOK_SECRET = "integration-test-secret-0123"
PLATFORM_SECRET = "platform-test-secret-4567"
ACTION_TOKEN = "action-server-test-token-89"


@dataclass
class Bot:
    url: str
    tracker_db: Path
    action_port: int
    knowledge_dir: Path
    handoffs: HandoffStore
    mail: MailServer
    webhook: WebhookReceiver
    env: Dict[str, str]
    # Both servers log at DEBUG, the most talkative level, so that the privacy tests
    # can read everything they print.
    logs: List[Path]
    # The demo page (python -m bot.web) whose widget reaches the Rasa server through
    # `proxy`, a real TCP relay the browser tests stop to take the server away.
    web_url: str
    proxy: TcpProxy
    platform: WebhookReceiver  # receives the webhook channel's asynchronous replies
    rasa_port: int

    def send(self, text: str, sender: str) -> List[Dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))

    def conversation(self) -> Conversation:
        return Conversation(self, f"test-{uuid.uuid4().hex}")


@dataclass
class Conversation:
    bot: Bot
    sender: str

    def say(self, text: str) -> List[Dict[str, Any]]:
        return self.bot.send(text, self.sender)


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> Iterator[Bot]:
    workdir = tmp_path_factory.mktemp("bot")
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    proxy = TcpProxy(rasa_port).start()
    web_origin = f"http://127.0.0.1:{web_port}"
    # A copy of the knowledge, so a test can edit contacts while the servers run.
    knowledge_dir = workdir / "knowledge"
    shutil.copytree(PROJECT_ROOT / "data" / "knowledge", knowledge_dir)
    mail, webhook = MailServer().start(), WebhookReceiver().start()
    platform = WebhookReceiver().start()  # the platform's callback address (async mode)
    handoff_url = f"sqlite:///{workdir / 'conversations.db'}"
    env = rasa_env(
        ACTION_PORT=str(action_port),
        RASA_PORT=str(rasa_port),
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TRACKER_DB=str(workdir / "conversations.db"),
        HANDOFF_DB_URL=handoff_url,
        KNOWLEDGE_DIR=str(knowledge_dir),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mail.port),
        SMTP_FROM="chatbot@herning.test",
        SMTP_SECURITY="auto",
        HANDOFF_WEBHOOK_URL=webhook.url,
        HANDOFF_WEBHOOK_SECRET=WEBHOOK_SECRET,
        NOTIFY_ATTEMPTS="8",
        NOTIFY_BACKOFF_SECONDS="0.5",
        SANIC_HOST="127.0.0.1",  # rasa-sdk's listening address
        WEB_PORT=str(web_port),
        BOT_PUBLIC_URL=f"http://127.0.0.1:{proxy.port}",
        CORS_ORIGINS=web_origin,
        PLATFORM_WEBHOOK_SECRET=PLATFORM_SECRET,
        PLATFORM_CALLBACK_URL=platform.url,
        ACTION_SERVER_TOKEN=ACTION_TOKEN,
        # A short window, so that the rate-limit test sees it lift.
        RATE_LIMIT_MESSAGES="40",
        RATE_LIMIT_SECONDS="3",
        MAX_REQUEST_BYTES="16384",
    )
    processes = []
    try:
        action_log = workdir / "actions.log"
        processes.append(subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "bot.action_server", "--actions", "actions",
             "--port", str(action_port), "--debug"],
            cwd=PROJECT_ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT))
        rasa, rasa_log = start_rasa(workdir, env, rasa_port, newest_model(),
                                    "--cors", web_origin)
        processes.append(rasa)
        web_log = workdir / "web.log"
        processes.append(subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "bot.web"],
            cwd=PROJECT_ROOT, env=env, stdout=web_log.open("w"), stderr=subprocess.STDOUT))
        wait_for(f"http://127.0.0.1:{action_port}/health", processes[0], action_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/", processes[1], rasa_log)
        wait_for(f"{web_origin}/", processes[2], web_log)
        yield Bot(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                  workdir / "conversations.db", action_port, knowledge_dir,
                  HandoffStore(handoff_url), mail, webhook, env, [action_log, rasa_log],
                  f"{web_origin}/", proxy, platform, rasa_port)
    finally:
        mail.stop()
        webhook.stop()
        platform.stop()
        proxy.stop()
        stop(processes)


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages if "text" in m]


def custom_ids(messages: List[Dict[str, Any]], key: str) -> List[str]:
    return [m["custom"][key]["id"] for m in messages if key in (m.get("custom") or {})]
