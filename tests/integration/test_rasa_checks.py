"""The data checks CI runs, through the staff's own command: `python -m bot.cli validate`
(the project's checks, then `rasa data validate --fail-on-warnings`). The story tests and
the held-out gate run through `bot.cli test` (test_model_gate.py)."""

from __future__ import annotations

import subprocess

from bot.settings import PROJECT_ROOT
from tests.integration.conftest import VENV_BIN, rasa_env


def test_validate_passes_the_projects_checks_and_rasas_with_no_warnings():
    done = subprocess.run([str(VENV_BIN / "python"), "-m", "bot.cli", "validate"],
                          cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "Kører Rasas egen kontrol" in done.stdout and "Alt er klar til træning" in done.stdout
