"""Notifying staff through a real local SMTP server and a real local webhook receiver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from email.message import EmailMessage

import pytest

from bot import settings as settings_module
from bot.handoff_store import HandoffStore, NewRequest
from bot.notify import (
    REFERENCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliveryError,
    EmailClient,
    Notifier,
    delivery_targets,
)
from tests.support.servers import (
    MailServer,
    WebhookReceiver,
    free_port,
    self_signed_certificate,
)

SECRET = "test-secret-0123456789"
REQUEST = NewRequest(
    conversation_id="conv-9", topic_id="inklusion", topic_title="Inklusion",
    contact_id="centerchef", contact_name="Bo Ulrich Bertelsen",
    contact_email="cbfbo@herning.dk", description="Min søn har svært ved at blive i klassen",
    parent_name="Lars Jensen", parent_phone=None, parent_email="lars@eksempel.dk",
)


@pytest.fixture
def mail():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def make_settings(monkeypatch, smtp_port=None, webhook_url=None, **extra):
    for name in ("SMTP_HOST", "HANDOFF_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    if smtp_port:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp_port))
        monkeypatch.setenv("SMTP_FROM", "chatbot@herning.test")
    if webhook_url:
        monkeypatch.setenv("HANDOFF_WEBHOOK_URL", webhook_url)
        monkeypatch.setenv("HANDOFF_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("NOTIFY_BACKOFF_SECONDS", "0.2")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    return settings_module.load()


@pytest.fixture
def store(tmp_path):
    return HandoffStore(f"sqlite:///{tmp_path / 'handoffs.db'}")


def test_email_reaches_the_contact_with_reference_and_details(monkeypatch, mail, store,
                                                            knowledge):
    config = make_settings(monkeypatch, smtp_port=mail.port)
    targets = delivery_targets(config, knowledge.contacts["centerchef"])
    stored = store.create(REQUEST, targets)
    assert Notifier(store, config).deliver(stored.reference)
    [message] = mail.messages
    assert mail.mailbox.recipients == [["cbfbo@herning.dk"]]
    assert stored.reference in message["Subject"]
    assert message["Reply-To"] == "lars@eksempel.dk"
    body = message.get_payload(decode=True).decode("utf-8")
    assert stored.reference in body and "Min søn har svært" in body and "Lars Jensen" in body
    assert store.get(stored.reference).delivered


def test_smtp_down_is_recorded_and_resend_delivers_when_it_returns(monkeypatch, store,
                                                                  knowledge):
    port = free_port()
    config = make_settings(monkeypatch, smtp_port=port)
    stored = store.create(REQUEST, delivery_targets(config, knowledge.contacts["centerchef"]))
    notifier = Notifier(store, config)
    assert not notifier.deliver(stored.reference)
    delivery = store.get(stored.reference).deliveries[0]
    assert delivery.attempts == 1 and "SMTP" in delivery.last_error
    mail = MailServer(port).start()
    try:
        assert notifier.resend_undelivered() == [(stored.reference, True)]
        assert len(mail.messages) == 1
        assert notifier.resend_undelivered() == []  # nothing sent twice
    finally:
        mail.stop()


def test_retry_with_backoff_delivers_once_the_server_is_back(monkeypatch, store, knowledge):
    port = free_port()
    config = make_settings(monkeypatch, smtp_port=port, NOTIFY_ATTEMPTS="6")
    stored = store.create(REQUEST, delivery_targets(config, knowledge.contacts["centerchef"]))
    mail = MailServer(port)
    starter = threading.Timer(0.5, mail.start)
    starter.start()
    try:
        started = time.monotonic()
        assert asyncio.run(Notifier(store, config).deliver_with_retry(stored.reference))
        assert time.monotonic() - started >= 0.2  # it waited at least one back-off
        assert len(mail.wait_for(1)) == 1
        assert store.get(stored.reference).deliveries[0].attempts >= 2
    finally:
        starter.join()
        mail.stop()


def test_backoff_doubles_up_to_a_cap(monkeypatch, store):
    notifier = Notifier(store, make_settings(monkeypatch, NOTIFY_BACKOFF_SECONDS="2"))
    assert [notifier.backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert notifier.backoff(30) == 300.0


def test_webhook_is_signed_and_a_server_error_is_retried(monkeypatch, receiver, store,
                                                         knowledge):
    config = make_settings(monkeypatch, webhook_url=receiver.url)
    stored = store.create(REQUEST, delivery_targets(config, knowledge.contacts["centerchef"]))
    notifier = Notifier(store, config)
    receiver.status = 503
    assert not notifier.deliver(stored.reference)
    receiver.status = 200
    assert notifier.deliver(stored.reference)
    assert len(receiver.requests) == 2
    last = receiver.requests[-1]
    assert last["json"]["reference"] == stored.reference
    assert last["json"]["parent"]["email"] == "lars@eksempel.dk"
    assert last["headers"][REFERENCE_HEADER] == stored.reference
    timestamp = last["headers"][TIMESTAMP_HEADER]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + last["body"],
                        hashlib.sha256).hexdigest()
    assert last["headers"][SIGNATURE_HEADER] == f"sha256={expected}"


def test_starttls_is_used_when_the_server_offers_it(monkeypatch, store, knowledge, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    mail = MailServer(tls=(cert, key)).start()
    try:
        config = make_settings(monkeypatch, smtp_port=mail.port, SMTP_CA_FILE=str(cert),
                               SMTP_USERNAME="", SMTP_SECURITY="auto")
        stored = store.create(REQUEST,
                              delivery_targets(config, knowledge.contacts["centerchef"]))
        assert Notifier(store, config).deliver(stored.reference)
        assert mail.mailbox.encrypted == [True]
        # Without trusting the certificate, the client refuses to send.
        monkeypatch.delenv("SMTP_CA_FILE")
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            EmailClient(settings_module.load()).send(EmailMessage())
    finally:
        mail.stop()


def test_required_starttls_refuses_a_server_without_it(monkeypatch, mail):
    config = make_settings(monkeypatch, smtp_port=mail.port, SMTP_SECURITY="starttls")
    with pytest.raises(DeliveryError, match="STARTTLS"):
        EmailClient(config).send(EmailMessage())
    assert mail.messages == []


def test_password_is_never_sent_unencrypted(monkeypatch, mail):
    config = make_settings(monkeypatch, smtp_port=mail.port, SMTP_USERNAME="bot",
                           SMTP_PASSWORD="hemmeligt")
    with pytest.raises(DeliveryError, match="unencrypted"):
        EmailClient(config).send(EmailMessage())


def test_no_channel_configured_means_no_targets(monkeypatch, knowledge):
    config = make_settings(monkeypatch)
    assert delivery_targets(config, knowledge.contacts["centerchef"]) == {}

