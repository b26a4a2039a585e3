"""HMAC-SHA256 signatures over a timestamp and the raw body, both ways.

A request (or an asynchronous reply) carries two headers:

    X-Signature-Timestamp: 1795461089                (Unix seconds)
    X-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

The receiver recomputes the HMAC over the bytes it got, compares in constant time,
refuses timestamps further than the tolerance from its clock (an old request played
again), and refuses a signature it has already seen within that window.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Protocol

TIMESTAMP_HEADER = "X-Signature-Timestamp"
SIGNATURE_HEADER = "X-Signature"


class SignatureError(Exception):
    """Why a request is refused (said in Danish in the 401 body)."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def sign(secret: str, body: bytes, now: Optional[float] = None) -> Dict[str, str]:
    """The headers that sign `body`."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


class ReplayCache(Protocol):
    def first_time(self, key: str, ttl: float) -> bool: ...


class MemoryReplayCache:
    """The signatures seen within their time to live, in this process."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str, ttl: float, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            for seen, until in list(self._seen.items()):
                if until > now:
                    break
                del self._seen[seen]
            if key in self._seen:
                return False
            self._seen[key] = now + ttl
            return True


class Verifier:
    """Checks signed requests; remembers the signatures seen within the tolerance
    (in this process, or in Redis for several replicas: `bot.shared_state`)."""

    def __init__(self, secret: str, tolerance_seconds: int = 300,
                 seen: Optional[ReplayCache] = None) -> None:
        self.secret = secret
        self.tolerance = tolerance_seconds
        self.seen: ReplayCache = seen or MemoryReplayCache()

    def verify(self, headers: Mapping[str, str], body: bytes,
               now: Optional[float] = None) -> None:
        now = time.time() if now is None else now
        timestamp = headers.get(TIMESTAMP_HEADER) or ""
        given = headers.get(SIGNATURE_HEADER) or ""
        if not timestamp or not given:
            raise SignatureError("Forespørgslen er ikke signeret (X-Signature-Timestamp og "
                                 "X-Signature mangler).")
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise SignatureError("X-Signature-Timestamp skal være Unix-sekunder.")
        if abs(now - int(timestamp)) > self.tolerance:
            raise SignatureError("Forespørgslen er for gammel eller fra fremtiden; "
                                 "signér den igen med det aktuelle tidspunkt.")
        expected = signature(self.secret, timestamp, body)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace")):
            raise SignatureError("Signaturen passer ikke til forespørgslen.")
        # A signature stays valid for `tolerance` either side of its timestamp.
        if not self.seen.first_time(expected, 2 * self.tolerance + 1):
            raise SignatureError("Forespørgslen er allerede modtaget (genafspilning).")
