"""All runtime settings, read from the environment in one place, with safe defaults.

`python -m bot.settings` prints `export NAME=value` lines with the defaults applied,
so that shell scripts and Rasa's `${VAR}` placeholders in `endpoints.yml` see the
same values as the Python code.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"Setting {name} must be a whole number, got {raw!r}") from error


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"Setting {name} must be a number, got {raw!r}") from error


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


SMTP_SECURITY_MODES = ("auto", "starttls", "ssl", "none")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _webhook_url(name: str) -> str:
    url = _str(name)
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return url
    raise ValueError(f"Setting {name} must be an https:// address (http only on localhost)")


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"Setting {name} must be true or false, got {raw!r}")


def _cors_origins(raw: str) -> str:
    origins = raw.split()
    for value in origins:
        parts = urlsplit(value)
        if value == "*" or parts.scheme not in ("http", "https") or not parts.netloc \
                or parts.path not in ("", "/"):
            raise ValueError("Setting CORS_ORIGINS must list web origins such as "
                             f"https://www.herning.dk, never '*'; got {value!r}")
    return " ".join(value.rstrip("/") for value in origins)


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
    # Seconds the Rasa server waits for a custom action; after that, or when the action
    # server cannot be reached, the parent gets an apology with the centre chief's number.
    action_timeout_seconds: float
    tracker_db: str
    # Callback requests (the handoff store): a SQLAlchemy URL; by default the same
    # database as the conversations (TRACKER_STORE_URL). Not printed (may hold a password).
    handoff_db_url: str = field(repr=False, metadata={"secret": True})
    # Seconds a Rasa server may hold a conversation (Rasa's own TICKET_LOCK_LIFETIME):
    # after a replica dies mid-message, the conversation waits at most this long.
    ticket_lock_lifetime: int
    # E-mail to staff: off while SMTP_HOST is empty. SMTP_SECURITY: auto = STARTTLS
    # when the server offers it, starttls = required, ssl = TLS from the start, none.
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    smtp_from: str
    smtp_timeout: float
    # Extra CA certificates (PEM) to trust for the SMTP server, e.g. an internal CA.
    smtp_ca_file: str
    # Webhook to a staff system: off while empty; https only (http on localhost).
    handoff_webhook_url: str
    # Conversations whose newest message is older than this many days are deleted by
    # `python -m bot.cli conversations purge` (run it daily).
    retention_days: int
    # Delivery retries with exponential back-off: attempts, first wait in seconds.
    notify_attempts: int
    notify_backoff_seconds: float
    # The demo page with the web chat (`python -m bot.web`, started by `make run`), the
    # bot's address as browsers reach it, and the web origins allowed to call the bot
    # (CORS; space-separated; never "*").
    web_host: str
    web_port: int
    bot_public_url: str
    cors_origins: str
    # Public channels: largest request body (bytes; larger gets 413) and messages per
    # sender per window (more gets 429).
    max_request_bytes: int
    rate_limit_messages: int
    rate_limit_seconds: float
    # Webhook channel for other platforms (off while PLATFORM_WEBHOOK_SECRET is empty):
    # how old a signed request may be, and where asynchronous replies are posted.
    signature_tolerance_seconds: int
    platform_callback_url: str
    # Redact a child's name after "min søn", "vores datter" ... as well as CPR numbers,
    # phone numbers and e-mails (which are always redacted) before storing and logging.
    privacy_redact_names: bool
    # Secrets: read from the environment, never printed by `python -m bot.settings`.
    smtp_password: str = field(default="", repr=False, metadata={"secret": True})
    handoff_webhook_secret: str = field(default="", repr=False, metadata={"secret": True})
    # Key (Fernet) that seals the callback form's name and phone/e-mail in the
    # conversation store while the form runs. Empty: a new key per Rasa process, so a
    # restart forgets half-filled forms; several Rasa servers must share one key.
    tracker_slot_key: str = field(default="", repr=False, metadata={"secret": True})
    # Shared secret (16+ characters) signing the webhook channel's requests and replies.
    platform_webhook_secret: str = field(default="", repr=False, metadata={"secret": True})
    # Bearer token the action server requires (needed when ACTION_HOST is not loopback).
    action_server_token: str = field(default="", repr=False, metadata={"secret": True})
    # Secret (32+ characters) for Rasa's HTTP API: when set, `make run` starts Rasa with
    # `--enable-api --jwt-secret` and `bot.cli reload` signs its requests with it (HS256).
    # Empty: the API (model swap, trackers) stays off.
    rasa_api_jwt_secret: str = field(default="", repr=False, metadata={"secret": True})
    # Where conversations are kept: a SQLAlchemy URL. Default sqlite:///$TRACKER_DB (one
    # server); postgresql://user:password@host:5432/db for several replicas. Not
    # printed, as it may hold a password.
    tracker_store_url: str = field(default="", repr=False, metadata={"secret": True})
    # Redis shared by several Rasa replicas: redis://[:password@]host:6379/0 (rediss://
    # for TLS). Set: the conversation lock, the rate limit and the webhook channel's
    # replay check live there. Empty: in this process (one Rasa server only).
    redis_url: str = field(default="", repr=False, metadata={"secret": True})

    @property
    def clustered(self) -> bool:
        """Several Rasa replicas share the stores (REDIS_URL is set)."""
        return bool(self.redis_url)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.handoff_webhook_url)

    def as_env(self) -> dict[str, str]:
        return {
            f.name.upper(): str(getattr(self, f.name))
            for f in fields(self)
            if not f.metadata.get("secret")
        }


STORE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg2")


def _store_url(name: str, default: str) -> str:
    url = _str(name, default)
    scheme = url.split(":", 1)[0]
    if scheme not in STORE_SCHEMES or "://" not in url:
        raise ValueError(f"Setting {name} must be a sqlite:/// or postgresql:// address")
    return url


def _redis_url(name: str) -> str:
    url = _str(name)
    if url and urlsplit(url).scheme not in ("redis", "rediss"):
        raise ValueError(f"Setting {name} must be a redis:// or rediss:// address")
    return url


def load() -> Settings:
    """Read the settings from the environment (call it; nothing is read at import)."""
    action_host = os.environ.get("ACTION_HOST", "").strip() or "127.0.0.1"
    action_port = _int("ACTION_PORT", 5055)
    tracker_db = _path("TRACKER_DB", PROJECT_ROOT / "var" / "conversations.db")
    rasa_host = os.environ.get("RASA_HOST", "").strip() or "127.0.0.1"
    rasa_port = _int("RASA_PORT", 5005)
    web_host = _str("WEB_HOST", "127.0.0.1")
    web_port = _int("WEB_PORT", 8080)
    smtp_host = _str("SMTP_HOST")
    smtp_security = _str("SMTP_SECURITY", "auto").lower()
    if smtp_security not in SMTP_SECURITY_MODES:
        raise ValueError(f"Setting SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}")
    smtp_from = _str("SMTP_FROM")
    if smtp_host and not smtp_from:
        raise ValueError("Setting SMTP_FROM (the sender address) is needed with SMTP_HOST")
    webhook_url = _webhook_url("HANDOFF_WEBHOOK_URL")
    webhook_secret = os.environ.get("HANDOFF_WEBHOOK_SECRET", "")
    if webhook_url and len(webhook_secret) < 16:
        raise ValueError("Setting HANDOFF_WEBHOOK_SECRET (16+ characters) is needed "
                         "with HANDOFF_WEBHOOK_URL")
    platform_secret = os.environ.get("PLATFORM_WEBHOOK_SECRET", "")
    if platform_secret and len(platform_secret) < 16:
        raise ValueError("Setting PLATFORM_WEBHOOK_SECRET must have 16+ characters")
    action_token = os.environ.get("ACTION_SERVER_TOKEN", "").strip()
    if action_host not in LOOPBACK_HOSTS and not action_token:
        raise ValueError("Setting ACTION_SERVER_TOKEN is needed when the action server "
                         f"listens beyond this machine (ACTION_HOST={action_host})")
    tracker_store_url = _store_url("TRACKER_STORE_URL", f"sqlite:///{tracker_db}")
    redis_url = _redis_url("REDIS_URL")
    slot_key = os.environ.get("TRACKER_SLOT_KEY", "").strip()
    if redis_url and not slot_key:
        raise ValueError("Setting TRACKER_SLOT_KEY is needed with REDIS_URL: every Rasa "
                         "replica must open the callback forms the others sealed (make "
                         "one with `python -m bot.cli slot-key`)")
    api_secret = os.environ.get("RASA_API_JWT_SECRET", "").strip()
    if api_secret and len(api_secret) < 32:
        raise ValueError("Setting RASA_API_JWT_SECRET must have 32+ characters")
    return Settings(
        # Relative paths are taken from the project root (where Rasa runs).
        spacy_model=os.environ.get("SPACY_MODEL", "").strip() or "build/spacy/da_herning",
        knowledge_dir=_path("KNOWLEDGE_DIR", PROJECT_ROOT / "data" / "knowledge"),
        max_message_chars=_int("MAX_MESSAGE_CHARS", 2000),
        rasa_host=rasa_host,
        rasa_port=rasa_port,
        action_host=action_host,
        action_port=action_port,
        action_endpoint_url=os.environ.get("ACTION_ENDPOINT_URL", "").strip()
        or f"http://{action_host}:{action_port}/webhook",
        action_timeout_seconds=max(1.0, _float("ACTION_TIMEOUT_SECONDS", 20.0)),
        tracker_db=tracker_db,
        handoff_db_url=_str("HANDOFF_DB_URL", tracker_store_url),
        ticket_lock_lifetime=max(5, _int("TICKET_LOCK_LIFETIME", 60)),
        smtp_host=smtp_host,
        smtp_port=_int("SMTP_PORT", 465 if smtp_security == "ssl" else 587),
        smtp_security=smtp_security,
        smtp_username=_str("SMTP_USERNAME"),
        smtp_from=smtp_from,
        smtp_timeout=_float("SMTP_TIMEOUT", 10.0),
        smtp_ca_file=_str("SMTP_CA_FILE"),
        handoff_webhook_url=webhook_url,
        retention_days=_int("RETENTION_DAYS", 30),
        notify_attempts=max(1, _int("NOTIFY_ATTEMPTS", 6)),
        notify_backoff_seconds=max(0.0, _float("NOTIFY_BACKOFF_SECONDS", 2.0)),
        web_host=web_host,
        web_port=web_port,
        bot_public_url=_str("BOT_PUBLIC_URL", f"http://{rasa_host}:{rasa_port}"),
        cors_origins=_cors_origins(
            _str("CORS_ORIGINS", f"http://{web_host}:{web_port} http://localhost:{web_port}")),
        max_request_bytes=max(1024, _int("MAX_REQUEST_BYTES", 16384)),
        rate_limit_messages=max(1, _int("RATE_LIMIT_MESSAGES", 60)),
        rate_limit_seconds=max(1.0, _float("RATE_LIMIT_SECONDS", 60.0)),
        signature_tolerance_seconds=max(10, _int("SIGNATURE_TOLERANCE_SECONDS", 300)),
        platform_callback_url=_webhook_url("PLATFORM_CALLBACK_URL"),
        privacy_redact_names=_bool("PRIVACY_REDACT_NAMES", True),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        handoff_webhook_secret=webhook_secret,
        tracker_slot_key=slot_key,
        platform_webhook_secret=platform_secret,
        action_server_token=action_token,
        rasa_api_jwt_secret=api_secret,
        tracker_store_url=tracker_store_url,
        redis_url=redis_url,
    )


def main() -> None:
    for name, value in load().as_env().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
