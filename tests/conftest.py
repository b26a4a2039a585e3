"""Fixtures shared by all tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import Knowledge, load_from
from bot.settings import PROJECT_ROOT

KNOWLEDGE_DIR = PROJECT_ROOT / "data" / "knowledge"
TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_from(KNOWLEDGE_DIR)
