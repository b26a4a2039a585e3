"""Start the action server with personal data redacted from its logs.

`python -m bot.action_server --actions actions --port 5055` takes the same options as
`rasa run actions` (rasa-sdk's own command line) and installs `bot.log_redaction` first,
so that nothing the actions log, at any level, carries a CPR number, a phone number, an
e-mail or a child's name.
"""

from __future__ import annotations

from bot import log_redaction, settings


def main() -> None:
    log_redaction.install(names=settings.load().privacy_redact_names)
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_sdk_main()


if __name__ == "__main__":
    main()
