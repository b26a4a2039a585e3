"""Send a question file to a running bot over REST and score the replies.

The file has the format of the design's question sets:
`cases: [{text, source: id | [ids] | none} | {text, contact: id}]`.
A case passes when the first cited source is one of the accepted ids, when the
named contact is carried, or, for `none`, when no source is cited.

A file may instead hold conversations, each turn with the reply a correct bot gives:
`conversations: [{id, kind, turns: [{text, source | contact}, ...]}]`; the turns of one
conversation are sent in one conversation, in order. A case or conversation marked
`heldout: true` is reported apart: only the other half may be read when tuning.
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
    heldout: bool = False
    conversation: str = ""  # the id of the conversation a turn belongs to

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
    wrong: bool = False  # a section cited that the case does not accept


@dataclass
class Report:
    outcomes: List[Outcome] = field(default_factory=list)

    def accuracy(self, group: str, heldout: Optional[bool] = None) -> Optional[float]:
        results = [o.passed for o in self.outcomes_of(group, heldout)]
        return sum(results) / len(results) if results else None

    def wrong_share(self, group: str, heldout: Optional[bool] = None) -> Optional[float]:
        """Share of the group's replies that cited a section the case does not accept."""
        results = [o.wrong for o in self.outcomes_of(group, heldout)]
        return sum(results) / len(results) if results else None

    def outcomes_of(self, group: str, heldout: Optional[bool]) -> List[Outcome]:
        return [o for o in self.outcomes if o.case.group == group
                and (heldout is None or o.case.heldout is heldout)]

    def latency_ms(self, quantile: float) -> float:
        times = sorted(o.seconds * 1000 for o in self.outcomes)
        if len(times) < 2:
            return times[0] if times else 0.0
        return statistics.quantiles(times, n=100, method="inclusive")[int(quantile * 100) - 1]

    def failures(self) -> List[Outcome]:
        return [o for o in self.outcomes if not o.passed]


def load_cases(path: Path) -> List[Case]:
    """The cases of a question file, or the turns of a conversation file in order."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "conversations" in raw:
        return _turns(path, raw["conversations"])
    cases = [_case(path, entry, f"case #{index + 1}", False, "")
             for index, entry in enumerate(raw.get("cases") or [])]
    if not cases:
        raise ValueError(f"{path}: no cases")
    return cases


def _turns(path: Path, conversations: Any) -> List[Case]:
    turns: List[Case] = []
    for index, conversation in enumerate(conversations or []):
        if not isinstance(conversation, dict) or not conversation.get("turns"):
            raise ValueError(f"{path}: conversation #{index + 1} has no turns")
        name = str(conversation.get("id") or f"c{index + 1}")
        turns += [_case(path, entry, f"conversation {name}, turn {number + 1}",
                        bool(conversation.get("heldout")), name)
                  for number, entry in enumerate(conversation["turns"])]
    if not turns:
        raise ValueError(f"{path}: no conversations")
    return turns


def _case(path: Path, entry: Any, where: str, heldout: bool, conversation: str) -> Case:
    if not isinstance(entry, dict) or not str(entry.get("text", "")).strip():
        raise ValueError(f"{path}: {where} has no text")
    heldout = heldout or bool(entry.get("heldout"))
    if "contact" in entry:
        return Case(text=str(entry["text"]), contact=str(entry["contact"]), heldout=heldout,
                    conversation=conversation)
    source = entry.get("source")
    if source is None or source == "none":
        sources: List[str] = []
    else:
        sources = [source] if isinstance(source, str) else [str(s) for s in source]
    return Case(text=str(entry["text"]), sources=sources, heldout=heldout,
                conversation=conversation)


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


def cited_wrongly(case: Case, messages: Sequence[Dict[str, Any]]) -> bool:
    """A section cited that the case does not accept: a confident wrong answer."""
    sources = cited(messages, "source")
    if not sources or case.contact:
        return False
    return sources[0] not in (case.sources or [])


def send(url: str, sender: str, text: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def evaluate(url: str, cases: Sequence[Case]) -> Report:
    """Each case in a conversation of its own, so no context leaks between them; the
    turns of one conversation (`Case.conversation`) in one conversation, in order."""
    report = Report()
    senders: Dict[str, str] = {}
    for case in cases:
        sender = f"eval-{uuid.uuid4().hex}"
        if case.conversation:
            sender = senders.setdefault(case.conversation, sender)
        started = time.perf_counter()
        messages = send(url, sender, case.text)
        seconds = time.perf_counter() - started
        passed, got = judge(case, messages)
        report.outcomes.append(Outcome(case, passed, got, seconds,
                                       cited_wrongly(case, messages)))
    return report


def format_report(report: Report) -> str:
    lines = []
    hidden = sum(o.case.heldout for o in report.failures())
    for outcome in (o for o in report.failures() if not o.case.heldout):
        expected = outcome.case.contact or ", ".join(outcome.case.sources or ["none"])
        lines.append(f"FEJL [{outcome.case.group}] {outcome.case.text!r}: "
                     f"ventede {expected}, fik {outcome.got}")
    if hidden:  # read a held-out mistake and it is tuned on
        lines.append(f"{hidden} fejl i den holdt-ude halvdel vises ikke")
    halves = [None] + ([False, True] if any(o.case.heldout for o in report.outcomes) else [])
    for half in halves:
        if half is not None:
            lines.append("holdt ude:" if half else "tuning-halvdel:")
        for group in GROUPS:
            accuracy, wrong = report.accuracy(group, half), report.wrong_share(group, half)
            if accuracy is not None and wrong is not None:
                count = len(report.outcomes_of(group, half))
                lines.append(f"{group:>15}: {accuracy:6.1%} af {count}, "
                             f"forkert kilde {wrong:.1%}")
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
