"""Telling staff about a callback request: e-mail over SMTP and a signed HTTPS webhook.

One client class per outside service; `Notifier` sends every undelivered delivery of
a request, records the outcome in the handoff store and retries with back-off. A
delivery that still fails stays undelivered in the store, where
`python -m bot.cli handoffs resend` finds it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Dict, List, Optional, Tuple

import requests

from bot.callback import Reach
from bot.handoff_store import HandoffStore, HandoffStoreError, StoredRequest
from bot.hours import DANISH_TIME
from bot.knowledge import Contact
from bot.settings import Settings

logger = logging.getLogger(__name__)

EMAIL = "email"
WEBHOOK = "webhook"
MAX_BACKOFF_SECONDS = 300.0
SIGNATURE_HEADER = "X-Handoff-Signature"
TIMESTAMP_HEADER = "X-Handoff-Timestamp"
REFERENCE_HEADER = "X-Handoff-Reference"


class DeliveryError(RuntimeError):
    """A channel did not take the message; the text says why (no personal data)."""


def delivery_targets(settings: Settings, contact: Contact) -> Dict[str, str]:
    """Where a request for `contact` goes: {"email": address, "webhook": url}."""
    targets: Dict[str, str] = {}
    if settings.email_enabled and contact.email:
        targets[EMAIL] = contact.email
    if settings.webhook_enabled:
        targets[WEBHOOK] = settings.handoff_webhook_url
    return targets


def _local(request: StoredRequest) -> str:
    return request.created_at.astimezone(DANISH_TIME).strftime("%d.%m.%Y kl. %H.%M")


def email_text(request: StoredRequest) -> str:
    """The Danish e-mail body staff read."""
    reach = []
    if request.parent_phone:
        reach.append(f"Telefon: +45 {Reach(phone=request.parent_phone).display}")
    if request.parent_email:
        reach.append(f"E-mail: {request.parent_email}")
    topic = request.topic_title or "Ikke angivet"
    return "\n".join(
        [
            "En forælder har bedt om at blive kontaktet via kommunens chatbot.",
            "",
            f"Referencenummer: {request.reference}",
            f"Modtaget: {_local(request)}",
            f"Emne: {topic}",
            f"Sendt til: {request.contact_name}",
            "",
            f"Navn: {request.parent_name}",
            *reach,
            "",
            "Forælderens beskrivelse:",
            request.description,
            "",
            "Forælderen har givet samtykke til, at oplysningerne sendes til dig.",
            f"Samtale-id i chatbotten: {request.conversation_id}",
        ]
    )


def email_message(request: StoredRequest, sender: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Ønske om opringning fra chatbotten ({request.reference})"
    message["From"] = sender
    message["To"] = recipient
    if request.parent_email:
        message["Reply-To"] = request.parent_email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=request.reference)
    message[REFERENCE_HEADER] = request.reference
    message.set_content(email_text(request))
    return message


def webhook_payload(request: StoredRequest) -> Dict[str, Any]:
    return {
        "type": "callback_request",
        "reference": request.reference,
        "created_at": request.created_at.isoformat(),
        "conversation_id": request.conversation_id,
        "topic": {"id": request.topic_id, "title": request.topic_title},
        "contact": {"id": request.contact_id, "name": request.contact_name,
                    "email": request.contact_email},
        "parent": {"name": request.parent_name, "phone": request.parent_phone,
                   "email": request.parent_email},
        "description": request.description,
        "consent": True,
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over '<timestamp>.<raw body>', as 'sha256=<hex>'."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class EmailClient:
    """Sends one message over SMTP; STARTTLS whenever the server offers it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        if not s.email_enabled:
            raise DeliveryError("e-mail is not configured here (SMTP_HOST is empty)")
        try:
            context = ssl.create_default_context(cafile=s.smtp_ca_file or None)
            smtp: smtplib.SMTP
            if s.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout,
                                        context=context)
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            with smtp:
                smtp.ehlo()
                encrypted = s.smtp_security == "ssl"
                # STARTTLS verifies the server's certificate and name (the default context).
                if s.smtp_security in ("auto", "starttls") and smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                    encrypted = True
                elif s.smtp_security == "starttls":
                    raise DeliveryError("the SMTP server offers no STARTTLS (SMTP_SECURITY)")
                if s.smtp_username:
                    if not encrypted and s.smtp_security != "none":
                        raise DeliveryError("will not send the SMTP password unencrypted")
                    smtp.login(s.smtp_username, s.smtp_password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {s.smtp_host}:{s.smtp_port}: {error}") from error


class WebhookClient:
    """POSTs one signed JSON document; any 2xx answer counts as delivered."""

    def __init__(self, secret: str, timeout: float = 10.0) -> None:
        self.secret = secret
        self.timeout = timeout

    def post(self, url: str, payload: Dict[str, Any]) -> None:
        if not self.secret:
            raise DeliveryError("the webhook is not configured here (HANDOFF_WEBHOOK_SECRET)")
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            REFERENCE_HEADER: str(payload.get("reference", "")),
        }
        try:
            response = requests.post(url, data=body, headers=headers, timeout=self.timeout,
                                     allow_redirects=False)
        except requests.RequestException as error:
            raise DeliveryError(f"webhook: {type(error).__name__}") from error
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook answered HTTP {response.status_code}")


class Notifier:
    """Delivers stored requests to staff and records each attempt in the store."""

    def __init__(
        self,
        store: HandoffStore,
        settings: Settings,
        email: Optional[EmailClient] = None,
        webhook: Optional[WebhookClient] = None,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self.store = store
        self.settings = settings
        self.email = email or EmailClient(settings)
        self.webhook = webhook or WebhookClient(settings.handoff_webhook_secret,
                                                settings.smtp_timeout)
        self.lease = lease

    def deliver(self, reference: str) -> bool:
        """One attempt at every undelivered channel; True when all are delivered."""
        request = self.store.get(reference)
        if request is None:
            raise HandoffStoreError(f"no request with reference {reference}")
        for delivery in request.deliveries:
            if delivery.delivered_at or not self.store.claim(delivery.id, self.lease):
                continue
            try:
                if delivery.channel == EMAIL:
                    self.email.send(email_message(request, self.settings.smtp_from,
                                                  delivery.target))
                elif delivery.channel == WEBHOOK:
                    self.webhook.post(delivery.target, webhook_payload(request))
                else:
                    raise DeliveryError(f"unknown channel {delivery.channel!r}")
            except DeliveryError as error:
                self.store.mark_failed(delivery.id, str(error))
                logger.warning("Handoff %s: %s delivery failed: %s", reference,
                               delivery.channel, error)
                continue
            self.store.mark_delivered(delivery.id)
            logger.info("Handoff %s delivered by %s", reference, delivery.channel)
        stored = self.store.get(reference)
        return bool(stored and stored.delivered)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1, 2, ...)."""
        return float(min(MAX_BACKOFF_SECONDS,
                         self.settings.notify_backoff_seconds * 2 ** (attempt - 1)))

    async def deliver_with_retry(self, reference: str) -> bool:
        """Try, wait with exponential back-off, try again, up to NOTIFY_ATTEMPTS times."""
        attempts = self.settings.notify_attempts
        for attempt in range(1, attempts + 1):
            try:
                if await asyncio.to_thread(self.deliver, reference):
                    return True
            except HandoffStoreError as error:
                logger.error("Handoff %s: store unavailable: %s", reference, error)
            if attempt < attempts:
                await asyncio.sleep(self.backoff(attempt))
        logger.error("Handoff %s still undelivered after %d attempts; "
                     "`python -m bot.cli handoffs resend` retries it", reference, attempts)
        return False

    def resend_undelivered(self) -> List[Tuple[str, bool]]:
        """One attempt for every undelivered request: [(reference, delivered), ...]."""
        return [(r.reference, self.deliver(r.reference)) for r in self.store.undelivered()]
