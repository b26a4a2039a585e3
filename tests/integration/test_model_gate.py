"""The CI gate, through the staff's own command: `python -m bot.cli test` runs the story
tests (tests/stories/) and scores the trained model on the held-out NLU set against the
thresholds kept in tests/data/heldout_thresholds.yml; it must pass, and say so."""

from __future__ import annotations

import re
import subprocess

import pytest

from bot.settings import PROJECT_ROOT
from tests.integration.conftest import VENV_BIN, newest_model, rasa_env

pytestmark = pytest.mark.live


def test_the_model_passes_the_story_tests_and_keeps_its_held_out_accuracy():
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bot.cli", "test", "--model", str(newest_model())],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=900)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "alle historier gik som forventet" in done.stdout
    assert re.search(r"svarede rigtigt på \d+,\d %, forkert på \d+,\d %", done.stdout)
    assert "Modellen består testene." in done.stdout
