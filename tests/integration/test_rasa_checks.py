"""Rasa's own checks: data validation without warnings, story tests without errors."""

from __future__ import annotations

import subprocess

import pytest

from bot.settings import PROJECT_ROOT
from tests.integration.conftest import VENV_BIN, newest_model, rasa_env

DATA = ["--data", "data/nlu", "data/stories"]


def _rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "rasa"), *args], cwd=PROJECT_ROOT, env=rasa_env(),
                          capture_output=True, text=True, timeout=timeout)


def test_rasa_data_validate_passes_with_no_warnings():
    result = _rasa("data", "validate", "--config", "config.yml", "--domain", "domain.yml",
                   *DATA, "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.live
def test_story_tests_pass_with_fail_on_prediction_errors(tmp_path):
    result = _rasa("test", "core", "--model", str(newest_model()), "--stories",
                   "tests/stories", "--out", str(tmp_path), "--fail-on-prediction-errors")
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    failed = tmp_path / "failed_test_stories.yml"
    assert not failed.exists() or "None of the test stories failed" in failed.read_text()
