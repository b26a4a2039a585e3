"""Start the action server, hardened, with personal data redacted from its logs.

`python -m bot.action_server --actions actions --port 5055` takes the same options as
`rasa run actions` (rasa-sdk's own command line) and changes three things:

- its logs carry no CPR number, phone number, e-mail or child's name
  (`bot.log_redaction`), at any level;
- an action that fails is answered with a bare `{"error": ...}` and status 500:
  rasa-sdk 3.6 echoes the whole request, tracker and all, in that reply;
- it listens on ACTION_HOST (127.0.0.1 unless set; rasa-sdk's default is every
  interface), and with ACTION_SERVER_TOKEN set it answers only requests carrying
  `Authorization: Bearer <token>` (endpoints.yml sends it); `/health` stays open.
  Settings refuse a non-loopback ACTION_HOST without a token.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any, Optional

from bot import log_redaction, settings

logger = logging.getLogger(__name__)

FAILED = "Handlingen kunne ikke udføres."
UNAUTHORISED = "Adgang nægtet."


def harden(app: Any, token: str) -> Any:
    """Bare error replies and, with a token, bearer authentication on `app` (Sanic)."""
    from sanic import response

    async def failure(request: Any, exception: Exception) -> Any:
        logger.error("An action failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": FAILED}, status=500)

    app.error_handler.add(Exception, failure)

    if token:
        expected = f"Bearer {token}".encode()

        @app.middleware("request")
        async def authenticate(request: Any) -> Optional[Any]:
            if request.path == "/health":
                return None
            given = (request.headers.get("Authorization") or "").encode("utf-8")
            if not hmac.compare_digest(given, expected):
                return response.json({"error": UNAUTHORISED}, status=401)
            return None

    return app


def main() -> None:
    config = settings.load()
    log_redaction.install(names=config.privacy_redact_names)
    os.environ.setdefault("SANIC_HOST", config.action_host)

    import rasa_sdk.endpoint
    from rasa_sdk.__main__ import main as rasa_sdk_main

    create_app = rasa_sdk.endpoint.create_app

    def hardened_create_app(*args: Any, **kwargs: Any) -> Any:
        return harden(create_app(*args, **kwargs), config.action_server_token)

    rasa_sdk.endpoint.create_app = hardened_create_app
    rasa_sdk_main()


if __name__ == "__main__":
    main()
