"""`rasa run`, with Rasa's HTTP API switched on when RASA_API_JWT_SECRET is set.

    python -m bot.rasa_run --model models/x.tar.gz --port 5005 ...   (scripts/run.sh)

With the secret set this adds `--enable-api --jwt-secret <secret> --jwt-method HS256`
inside the process, so the secret never stands on a command line (which `ps` shows to
every user of the machine). Without it the API stays off, as with plain `rasa run`:
only the channels (`/webhooks/...`) and the health page answer.
"""

from __future__ import annotations

import sys
from typing import List, Optional


def rasa_arguments(argv: List[str], jwt_secret: str) -> List[str]:
    if "--enable-api" in argv or "--jwt-secret" in argv:
        raise SystemExit("Set RASA_API_JWT_SECRET instead of passing the API options.")
    api = ["--enable-api", "--jwt-secret", jwt_secret, "--jwt-method", "HS256"]
    return ["rasa", "run", *argv, *(api if jwt_secret else [])]


def main(argv: Optional[List[str]] = None) -> None:
    from bot import settings

    sys.argv = rasa_arguments(list(sys.argv[1:] if argv is None else argv),
                              settings.load().rasa_api_jwt_secret)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
