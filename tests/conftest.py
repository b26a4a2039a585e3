"""Fixtures shared by all tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, load_from
from bot.settings import PROJECT_ROOT
from tests.support.servers import Postgres, Redis, redis_server

KNOWLEDGE_DIR = PROJECT_ROOT / "data" / "knowledge"
TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_from(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL 15 server for the session (initdb and pg_ctl as `postgres`)."""
    server = Postgres()
    if not server.available:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture(scope="session")
def redis():
    """A real Redis server for the session (Debian's redis-server, nothing on disk)."""
    if redis_server() is None:
        message = "redis-server is not installed: apt-get install redis-server"
        if os.environ.get("CI"):
            pytest.fail(message + " (scripts/setup.sh installs it)")
        pytest.skip(message)
    directory = Path(tempfile.mkdtemp(prefix="herning-redis-"))
    server = Redis(directory).start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)
