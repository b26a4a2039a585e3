"""Send a question file to a running bot over REST and score the replies.

The file has the format of the design's question sets:
`cases: [{text, source: id | [ids] | none} | {text, contact: id}]`.
A case passes when the first cited source is one of the accepted ids, when the
named contact is carried, or, for `none`, when no source is cited.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.knowledge import EMERGENCY_CONTACT_ID

GROUP_KNOWLEDGE = "viden"
GROUP_CONTACT = "kontakt"
GROUP_DANGER = "akut fare"
GROUP_OUT_OF_SCOPE = "uden for emnet"
GROUPS = (GROUP_KNOWLEDGE, GROUP_CONTACT, GROUP_DANGER, GROUP_OUT_OF_SCOPE)


@dataclass(frozen=True)
class Case:
    text: str
    sources: Optional[List[str]] = None  # accepted section ids; [] means "none"
    contact: Optional[str] = None

    @property
    def group(self) -> str:
        if self.contact == EMERGENCY_CONTACT_ID:
            return GROUP_DANGER
        if self.contact:
            return GROUP_CONTACT
        return GROUP_OUT_OF_SCOPE if self.sources == [] else GROUP_KNOWLEDGE


@dataclass
class Outcome:
    case: Case
    passed: bool
    got: str
    seconds: float


@dataclass
class Report:
    outcomes: List[Outcome] = field(default_factory=list)

    def accuracy(self, group: str) -> Optional[float]:
        results = [o.passed for o in self.outcomes if o.case.group == group]
        return sum(results) / len(results) if results else None

    def latency_ms(self, quantile: float) -> float:
        times = sorted(o.seconds * 1000 for o in self.outcomes)
        if len(times) < 2:
            return times[0] if times else 0.0
        return statistics.quantiles(times, n=100, method="inclusive")[int(quantile * 100) - 1]

    def failures(self) -> List[Outcome]:
        return [o for o in self.outcomes if not o.passed]


def load_cases(path: Path) -> List[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for index, entry in enumerate(raw.get("cases") or []):
        if not isinstance(entry, dict) or not str(entry.get("text", "")).strip():
            raise ValueError(f"{path}: case #{index + 1} has no text")
        if "contact" in entry:
            cases.append(Case(text=str(entry["text"]), contact=str(entry["contact"])))
            continue
        source = entry.get("source")
        if source is None or source == "none":
            sources: List[str] = []
        else:
            sources = [source] if isinstance(source, str) else [str(s) for s in source]
        cases.append(Case(text=str(entry["text"]), sources=sources))
    if not cases:
        raise ValueError(f"{path}: no cases")
    return cases


def cited(messages: Sequence[Dict[str, Any]], key: str) -> List[str]:
    """Ids of the `custom.<key>` payloads in a REST reply, in order."""
    ids = []
    for message in messages:
        payload = (message.get("custom") or {}).get(key)
        if isinstance(payload, dict) and payload.get("id"):
            ids.append(str(payload["id"]))
    return ids


def judge(case: Case, messages: Sequence[Dict[str, Any]]) -> Tuple[bool, str]:
    """(passed, what the bot cited) for one reply."""
    sources = cited(messages, "source")
    contacts = cited(messages, "contact")
    got = f"source={sources[0] if sources else 'none'} contacts={contacts or 'none'}"
    if case.contact:
        return case.contact in contacts, got
    if case.sources == []:
        return not sources, got
    return bool(sources) and sources[0] in (case.sources or []), got


def send(url: str, sender: str, text: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def evaluate(url: str, cases: Sequence[Case]) -> Report:
    """Each case in a conversation of its own, so no context leaks between them."""
    report = Report()
    for case in cases:
        sender = f"eval-{uuid.uuid4().hex}"
        started = time.perf_counter()
        messages = send(url, sender, case.text)
        seconds = time.perf_counter() - started
        passed, got = judge(case, messages)
        report.outcomes.append(Outcome(case, passed, got, seconds))
    return report


def format_report(report: Report) -> str:
    lines = []
    for outcome in report.failures():
        expected = outcome.case.contact or ", ".join(outcome.case.sources or ["none"])
        lines.append(f"FEJL [{outcome.case.group}] {outcome.case.text!r}: "
                     f"ventede {expected}, fik {outcome.got}")
    for group in GROUPS:
        accuracy = report.accuracy(group)
        if accuracy is not None:
            count = sum(o.case.group == group for o in report.outcomes)
            lines.append(f"{group:>15}: {accuracy:6.1%} af {count}")
    lines.append(
        f"{'svartid':>15}: p50 {report.latency_ms(0.50):.0f} ms, "
        f"p95 {report.latency_ms(0.95):.0f} ms ({len(report.outcomes)} spørgsmål)"
    )
    return "\n".join(lines)


def benchmark(url: str, texts: Sequence[str], requests: int, turns: int = 8) -> Report:
    """Send `requests` messages (cycling through `texts`) one after another, in
    conversations of `turns` messages each (Rasa's cost per turn grows with the
    length of the conversation, so the length is part of the figure)."""
    report = Report()
    sender = ""
    for index in range(requests):
        if index % turns == 0:
            sender = f"bench-{uuid.uuid4().hex}"
        text = texts[index % len(texts)]
        started = time.perf_counter()
        send(url, sender, text)
        report.outcomes.append(Outcome(Case(text), True, "", time.perf_counter() - started))
    return report
