"""Client for the Rasa server's own HTTP API, authenticated with a JWT.

The Rasa server runs with `--enable-api --jwt-secret $RASA_API_JWT_SECRET --jwt-method
HS256` (scripts/run.sh does this when the secret is set). Every request here carries a
short-lived token signed with that secret for an admin user, as Rasa's `requires_auth`
expects (`{"user": {"username": ..., "role": "admin"}}`).

Used by `python -m bot.cli reload`: `status()` names the running model, `parse()` lets
the running model score the held-out set (wherever its file lives), and
`replace_model()` swaps a trained model into the running server (`PUT /model`); Rasa
keeps its conversation store and lock store, so conversations in progress continue.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

TOKEN_SECONDS = 600
USERNAME = "bot-cli"


class RasaApiError(Exception):
    """The API could not be reached or refused the request; the message is Danish."""


def admin_token(secret: str, now: Optional[float] = None) -> str:
    import jwt  # PyJWT, a dependency of Rasa

    issued = int(now if now is not None else time.time())
    payload = {"user": {"username": USERNAME, "role": "admin"},
               "iat": issued, "exp": issued + TOKEN_SECONDS}
    return str(jwt.encode(payload, secret, algorithm="HS256"))


class RasaApi:
    """One Rasa server's HTTP API (`url` such as http://127.0.0.1:5005)."""

    def __init__(self, url: str, jwt_secret: str, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.jwt_secret = jwt_secret
        self.timeout = timeout

    def _request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None
                 ) -> Optional[Dict[str, Any]]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {admin_token(self.jwt_secret)}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise RasaApiError(self._explain(error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RasaApiError(f"Kunne ikke nå Rasa-serveren på {self.url}: {reason}. "
                               "Kører den?") from None
        return json.loads(raw.decode("utf-8")) if raw else None

    def _explain(self, error: urllib.error.HTTPError) -> str:
        try:
            detail = json.loads(error.read().decode("utf-8")).get("message", "")
        except (ValueError, AttributeError):
            detail = ""
        if error.code in (401, 403):
            return (f"Rasa-serveren afviste adgangen (HTTP {error.code}). Kører den med "
                    "--enable-api og samme RASA_API_JWT_SECRET?")
        if error.code in (404, 405):
            return (f"Rasa-serveren på {self.url} har ikke sit HTTP-API slået til "
                    "(start den med RASA_API_JWT_SECRET sat).")
        return f"Rasa-serveren svarede HTTP {error.code}: {detail or error.reason}"

    def status(self) -> Dict[str, Any]:
        """`GET /status`: `model_file`, `model_id`, `num_active_training_jobs`."""
        return self._request("GET", "/status") or {}

    def parse(self, text: str) -> Dict[str, Any]:
        """`POST /model/parse`: what the running model makes of `text` (no conversation
        is touched)."""
        return self._request("POST", "/model/parse", {"text": text}) or {}

    def replace_model(self, model_file: str) -> None:
        """`PUT /model`: the server loads `model_file` (a path it can read) and answers
        with it from then on."""
        self._request("PUT", "/model", {"model_file": model_file})
