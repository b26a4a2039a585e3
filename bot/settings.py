"""All runtime settings, read from the environment in one place, with safe defaults.

`python -m bot.settings` prints `export NAME=value` lines with the defaults applied,
so that shell scripts and Rasa's `${VAR}` placeholders in `endpoints.yml` see the
same values as the Python code.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"Setting {name} must be a whole number, got {raw!r}") from error


def _path(name: str, default: Path) -> str:
    raw = os.environ.get(name, "").strip()
    return raw or str(default)


@dataclass(frozen=True)
class Settings:
    """The values every part of the bot reads; build one with `load()`."""

    # Danish spaCy pipeline: a path to the pipeline built by `bot.cli build-spacy`,
    # or the name of an installed package such as `da_core_news_sm`.
    spacy_model: str
    knowledge_dir: str
    max_message_chars: int
    rasa_host: str
    rasa_port: int
    action_host: str
    action_port: int
    action_endpoint_url: str
    tracker_db: str

    def as_env(self) -> dict[str, str]:
        return {f.name.upper(): str(getattr(self, f.name)) for f in fields(self)}


def load() -> Settings:
    """Read the settings from the environment (call it; nothing is read at import)."""
    action_host = os.environ.get("ACTION_HOST", "").strip() or "127.0.0.1"
    action_port = _int("ACTION_PORT", 5055)
    return Settings(
        # Relative paths are taken from the project root (where Rasa runs).
        spacy_model=os.environ.get("SPACY_MODEL", "").strip() or "build/spacy/da_herning",
        knowledge_dir=_path("KNOWLEDGE_DIR", PROJECT_ROOT / "data" / "knowledge"),
        max_message_chars=_int("MAX_MESSAGE_CHARS", 2000),
        rasa_host=os.environ.get("RASA_HOST", "").strip() or "127.0.0.1",
        rasa_port=_int("RASA_PORT", 5005),
        action_host=action_host,
        action_port=action_port,
        action_endpoint_url=os.environ.get("ACTION_ENDPOINT_URL", "").strip()
        or f"http://{action_host}:{action_port}/webhook",
        tracker_db=_path("TRACKER_DB", PROJECT_ROOT / "var" / "conversations.db"),
    )


def main() -> None:
    for name, value in load().as_env().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
