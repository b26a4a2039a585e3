"""`python -m bot.cli handoffs list|resend`: what staff run when staff were not reached."""

from __future__ import annotations

from bot import cli
from bot.handoff_store import HandoffStore, NewRequest
from tests.support.servers import MailServer, free_port

REQUEST = NewRequest(
    conversation_id="conv-cli", topic_id=None, topic_title=None, contact_id="centerchef",
    contact_name="Bo Ulrich Bertelsen", contact_email="cbfbo@herning.dk",
    description="Spørgsmål om støtte", parent_name="Ib", parent_phone="+4512345678",
    parent_email=None,
)


def test_list_and_resend_undelivered_requests(monkeypatch, tmp_path, capsys):
    port = free_port()
    url = f"sqlite:///{tmp_path / 'handoffs.db'}"
    for name, value in {"HANDOFF_DB_URL": url, "SMTP_HOST": "127.0.0.1",
                        "SMTP_PORT": str(port), "SMTP_FROM": "bot@herning.test"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HANDOFF_WEBHOOK_URL", raising=False)
    stored = HandoffStore(url).create(REQUEST, {"email": "cbfbo@herning.dk"})

    assert cli.main(["handoffs", "resend"]) == 1  # SMTP server down: still undelivered
    assert "stadig ikke leveret" in capsys.readouterr().out
    assert cli.main(["handoffs", "list", "--undelivered"]) == 0
    listing = capsys.readouterr().out
    assert stored.reference in listing and "IKKE leveret, 1 forsøg" in listing

    mail = MailServer(port).start()
    try:
        assert cli.main(["handoffs", "resend"]) == 0
        assert f"{stored.reference}: leveret" in capsys.readouterr().out
        assert len(mail.messages) == 1
    finally:
        mail.stop()
    assert cli.main(["handoffs", "list", "--undelivered"]) == 0
    assert "Ingen ikke-leverede henvendelser" in capsys.readouterr().out
