"""A local deployment on loopback ports: real processes, as production runs them.

`LocalCluster(workdir, replicas=2, shared=True)` starts a real PostgreSQL (initdb into a
temporary folder), a real Redis (Debian's `redis-server`), an SMTP catcher, the action
server and two Rasa server replicas that share them through TRACKER_STORE_URL and
REDIS_URL, the settings a deployment changes. `shared=False` starts one replica with
the defaults (a SQLite file, the lock in memory). Used by the cluster test
(tests/integration/test_cluster.py) and the load benchmark (benchmarks/).

`python -m tests.support.cluster [--replicas N] [--sqlite]` starts one and keeps it
running, printing the addresses, for trying things by hand.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.settings import PROJECT_ROOT
from tests.support.servers import MailServer, Postgres, Redis, StartError, free_port

VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
STARTUP_SECONDS = 240
API_SECRET = "cluster-admin-secret-0123456789abcdef"
ACTION_TOKEN = "cluster-action-token-0123"


@dataclass
class Process:
    name: str
    command: List[str]
    log: Path
    health: str
    process: Optional[subprocess.Popen] = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, env: Dict[str, str]) -> None:
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=env,
                                        stdout=self.log.open("a"), stderr=subprocess.STDOUT)

    def wait(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if not self.running:
                raise StartError(f"{self.name} exited:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.health, timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise StartError(f"{self.name} did not start in {STARTUP_SECONDS} s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self, kill: bool = False) -> None:
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def newest_model() -> Path:
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StartError("No trained model in models/: run `make train`.")
    return models[-1]


@dataclass
class LocalCluster:
    workdir: Path
    replicas: int = 2
    shared: bool = True  # PostgreSQL + Redis; False: one replica, SQLite, lock in memory
    model: Optional[Path] = None
    overrides: Dict[str, str] = field(default_factory=dict)
    log_level: str = "--quiet"  # or "--debug"
    web: bool = False  # also serve the demo page with the web chat, talking to replica 1

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres: Optional[Postgres] = Postgres() if self.shared else None
        self.redis: Optional[Redis] = Redis(self.workdir) if self.shared else None
        self.mail = MailServer()
        self.action_port = free_port()
        self.ports = [free_port() for _ in range(self.replicas if self.shared else 1)]
        self.env: Dict[str, str] = {}
        self.action_server = Process(
            "action server",
            [str(VENV_PYTHON), "-m", "bot.action_server", "--actions", "actions",
             "--port", str(self.action_port)],
            self.workdir / "actions.log", f"http://127.0.0.1:{self.action_port}/health")
        self.rasa: List[Process] = []
        self.web_port = free_port()
        self.web_server = Process(
            "demo page", [str(VENV_PYTHON), "-m", "bot.web"], self.workdir / "web.log",
            f"http://127.0.0.1:{self.web_port}/")

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    @property
    def urls(self) -> List[str]:
        """Each replica's base address."""
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def store_url(self) -> str:
        if self.postgres is not None:
            return self.postgres.url
        return f"sqlite:///{self.workdir / 'conversations.db'}"

    def _environment(self) -> Dict[str, str]:
        from cryptography.fernet import Fernet

        env = {name: value for name, value in os.environ.items()
               if name not in ("HANDOFF_DB_URL", "REDIS_URL", "TRACKER_SLOT_KEY")}
        env.update({
            "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "SPACY_MODEL": os.environ.get("SPACY_MODEL", "build/spacy/da_herning"),
            "ACTION_PORT": str(self.action_port),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "SANIC_HOST": "127.0.0.1",
            "TRACKER_DB": str(self.workdir / "conversations.db"),
            "TRACKER_STORE_URL": self.store_url,
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.mail.port),
            "SMTP_FROM": "chatbot@herning.test", "SMTP_SECURITY": "auto",
            "RASA_API_JWT_SECRET": API_SECRET,
            "ACTION_SERVER_TOKEN": ACTION_TOKEN,
            "SANIC_REQUEST_MAX_SIZE": "1048576",
            "WEB_PORT": str(self.web_port),
            "CORS_ORIGINS": f"http://127.0.0.1:{self.web_port}",
            "BOT_PUBLIC_URL": f"http://127.0.0.1:{self.ports[0]}",
        })
        if self.redis is not None:
            env["REDIS_URL"] = self.redis.url
            # Every replica must open the callback forms the others sealed.
            env["TRACKER_SLOT_KEY"] = Fernet.generate_key().decode("ascii")
        env.update(self.overrides)
        return env

    def _replica(self, index: int) -> Process:
        port = self.ports[index]
        return Process(
            f"rasa-{index + 1}",
            [str(VENV_PYTHON), "-m", "bot.rasa_run", "--model",
             str(self.model or newest_model()), "--interface", "127.0.0.1",
             "--port", str(port), "--credentials", "credentials.yml",
             "--endpoints", "endpoints.yml", "--cors", f"http://127.0.0.1:{self.web_port}",
             self.log_level],
            self.workdir / f"rasa-{index + 1}.log", f"http://127.0.0.1:{port}/")

    def start(self) -> LocalCluster:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> LocalCluster:
        if self.postgres is not None:
            if not self.postgres.available:
                raise StartError("PostgreSQL's initdb/pg_ctl are not installed")
            self.postgres.start()
        if self.redis is not None:
            self.redis.start()
        self.mail.start()
        self.env = self._environment()
        self.action_server.start(self.env)
        self.rasa = [self._replica(i) for i in range(len(self.ports))]
        for replica in self.rasa:
            replica.start(self.env)
        if self.web:
            self.web_server.start(self.env)
        for process in [self.action_server, *self.rasa, *([self.web_server] if self.web else [])]:
            process.wait()
        return self

    def restart_replica(self, index: int) -> None:
        replica = self.rasa[index]
        replica.stop()
        replica.start(self.env)
        replica.wait()

    def stop(self) -> None:
        for process in [*self.rasa, self.action_server, self.web_server]:
            process.stop()
        self.mail.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except RuntimeError:
                pass  # not running
            finally:
                self.postgres.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true",
                        help="one replica with the defaults (SQLite, lock in memory)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="herning-cluster-"))
    cluster = LocalCluster(workdir, args.replicas, shared=not args.sqlite)
    cluster.start()
    print("Rasa replicas:", " ".join(cluster.urls), flush=True)
    print("Logs in", workdir, "- stop with Ctrl+C", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the stop
        cluster.stop()


if __name__ == "__main__":
    main()
