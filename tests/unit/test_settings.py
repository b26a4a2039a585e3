"""Settings come from the environment, with safe defaults, and reach Rasa's files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot import settings
from bot.settings import PROJECT_ROOT


def test_defaults_are_local_and_safe(monkeypatch):
    for name in settings.load().as_env():
        monkeypatch.delenv(name, raising=False)
    loaded = settings.load()
    assert loaded.rasa_host == "127.0.0.1" and loaded.action_host == "127.0.0.1"
    assert loaded.max_message_chars == 2000
    assert loaded.spacy_model == "build/spacy/da_herning"
    assert loaded.action_endpoint_url == "http://127.0.0.1:5055/webhook"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    monkeypatch.setenv("ACTION_PORT", "6000")
    monkeypatch.delenv("ACTION_ENDPOINT_URL", raising=False)
    loaded = settings.load()
    assert loaded.max_message_chars == 500
    assert loaded.action_endpoint_url == "http://127.0.0.1:6000/webhook"


def test_a_bad_number_is_named(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "lots")
    with pytest.raises(ValueError, match="MAX_MESSAGE_CHARS"):
        settings.load()


def test_shell_export_round_trips_values_with_spaces(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "/tmp/a folder/conv.db")
    out = subprocess.run([sys.executable, "-m", "bot.settings"], capture_output=True,
                         text=True, check=True, cwd=PROJECT_ROOT).stdout
    assert "export TRACKER_DB='/tmp/a folder/conv.db'" in out.splitlines()


@pytest.mark.parametrize("model", ["da_core_news_sm", "build/spacy/da_herning"])
def test_one_setting_chooses_the_spacy_pipeline_in_config_yml(monkeypatch, model):
    from rasa.shared.utils.io import read_config_file

    monkeypatch.setenv("SPACY_MODEL", model)
    pipeline = read_config_file(PROJECT_ROOT / "config.yml")["pipeline"]
    spacy_nlp = next(c for c in pipeline if c["name"] == "SpacyNLP")
    assert spacy_nlp["model"] == model


def test_built_pipeline_lemmatises_danish():
    from bot.nlp import lemmas

    assert lemmas(str(PROJECT_ROOT / "build/spacy/da_herning"), "børnene går") == ["barn", "gå"]


def test_secrets_are_never_printed_by_the_settings_command(monkeypatch):
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_FROM": "bot@herning.test",
           "SMTP_PASSWORD": "hemmeligt-kodeord", "HANDOFF_WEBHOOK_URL": "https://h.test/x",
           "HANDOFF_WEBHOOK_SECRET": "meget-hemmelig-noegle-123",
           "RASA_API_JWT_SECRET": "hemmelig-api-noegle-0123456789abcdef",
           "TRACKER_STORE_URL": "postgresql://rasa:hemmeligt-pg@db/rasa",
           "REDIS_URL": "redis://:hemmeligt-redis@redis:6379/0",
           "TRACKER_SLOT_KEY": "Wd3Yc9b3Qf1kq8m8d9vG5fQ2Jb0wz3p1Yv7xQz6h1aE="}
    done = subprocess.run([sys.executable, "-m", "bot.settings"], cwd=PROJECT_ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, check=True)
    assert "SMTP_HOST=127.0.0.1" in done.stdout
    assert "hemmeligt" not in done.stdout and "noegle" not in done.stdout
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_FROM", "bot@herning.test")
    monkeypatch.setenv("SMTP_PASSWORD", "hemmeligt-kodeord")
    assert "hemmeligt" not in repr(settings.load())



@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMTP_HOST": "127.0.0.1", "SMTP_FROM": ""}, "SMTP_FROM"),
        ({"SMTP_HOST": "127.0.0.1", "SMTP_FROM": "bot@herning.test", "SMTP_SECURITY": "maybe"},
         "SMTP_SECURITY"),
        ({"HANDOFF_WEBHOOK_URL": "http://staff.example.invalid/hook",
          "HANDOFF_WEBHOOK_SECRET": "x" * 20}, "https"),
        ({"HANDOFF_WEBHOOK_URL": "https://staff.example.invalid/hook",
          "HANDOFF_WEBHOOK_SECRET": "short"}, "HANDOFF_WEBHOOK_SECRET"),
        ({"RASA_API_JWT_SECRET": "too-short-for-a-jwt-secret"}, "RASA_API_JWT_SECRET"),
        ({"TRACKER_STORE_URL": "mysql://db/rasa"}, "TRACKER_STORE_URL"),
        ({"REDIS_URL": "http://redis:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "TRACKER_SLOT_KEY": ""}, "TRACKER_SLOT_KEY"),
    ],
)
def test_unsafe_or_incomplete_notification_settings_are_refused(monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        settings.load()


def test_plain_http_webhook_is_allowed_on_localhost_only(monkeypatch):
    monkeypatch.setenv("HANDOFF_WEBHOOK_URL", "http://127.0.0.1:9000/hook")
    monkeypatch.setenv("HANDOFF_WEBHOOK_SECRET", "x" * 20)
    assert settings.load().webhook_enabled


def test_the_action_server_needs_a_token_to_listen_beyond_this_machine(monkeypatch):
    monkeypatch.setenv("ACTION_HOST", "0.0.0.0")
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    with pytest.raises(ValueError, match="ACTION_SERVER_TOKEN"):
        settings.load()
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "a-long-random-token")
    assert settings.load().action_server_token == "a-long-random-token"


def test_the_webhook_secret_must_be_long_and_is_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("PLATFORM_WEBHOOK_SECRET", "short")
    with pytest.raises(ValueError, match="PLATFORM_WEBHOOK_SECRET"):
        settings.load()
    monkeypatch.setenv("PLATFORM_WEBHOOK_SECRET", "platform-secret-123456")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "token-123456789")
    settings.main()
    printed = capsys.readouterr().out
    assert "platform-secret-123456" not in printed and "token-123456789" not in printed


def test_one_setting_each_moves_the_stores_and_the_handoffs_follow(monkeypatch):
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.delenv("HANDOFF_DB_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("TRACKER_DB", "/srv/bot/conversations.db")
    loaded = settings.load()
    assert loaded.tracker_store_url == "sqlite:////srv/bot/conversations.db"
    assert loaded.handoff_db_url == loaded.tracker_store_url and not loaded.clustered
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://rasa@db:5432/rasa")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("TRACKER_SLOT_KEY", "Wd3Yc9b3Qf1kq8m8d9vG5fQ2Jb0wz3p1Yv7xQz6h1aE=")
    loaded = settings.load()
    assert loaded.handoff_db_url == "postgresql://rasa@db:5432/rasa" and loaded.clustered
