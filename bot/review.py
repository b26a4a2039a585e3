"""Review of real conversations for staff: what the bot could not answer, and figures.

Reads the conversation store (already redacted: no CPR numbers, phone numbers, e-mails or
children's names) and writes `review.csv` and `review.html`:

- the parents' messages the bot did not answer confidently (clarifying question, out of
  scope) or answered by pointing to a person, grouped by similarity, with counts and the
  first and last date, so staff can add the missing wordings or answers;
- the parents' thumbs up/down on answers in the web chat (`answer_feedback`), counted
  per section (a parent's latest rating of a section counts once per conversation);
- figures a manager asks for: conversations per day, the share answered from a section,
  escalated to a person (contact, callback, 112), out of scope or unsure, and the most
  used sections, drawn as simple charts (matplotlib, embedded in the HTML).

`python -m bot.cli review` writes the report; `python -m bot.cli learn` turns a reviewed
message into a training example.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa

KINDS = {  # the bot's first action after a message -> what happened
    "action_answer_section": "besvaret",
    "action_clarify": "usikker",
    "action_out_of_scope": "uden for emnet",
    "action_contact_person": "henvist til en person",
    "action_start_callback": "henvist til en person",
    "action_acute_danger": "akut fare (112)",
}
FOR_REVIEW = ("usikker", "uden for emnet", "henvist til en person")
SKIPPED_ACTIONS = ("action_listen", "action_extract_slots", "action_session_start",
                   "action_validate_slot_mappings")


@dataclass
class Message:
    conversation: str
    text: str
    intent: str
    kind: str
    at: datetime


@dataclass
class Feedback:
    conversation: str
    section: str
    rating: str  # "op" (helped) or "ned" (did not help)
    at: datetime


@dataclass
class Group:
    texts: List[str] = field(default_factory=list)
    messages: List[Message] = field(default_factory=list)
    words: frozenset = frozenset()


def _words(text: str) -> frozenset:
    return frozenset(w for w in re.findall(r"\w+", text.lower()) if len(w) > 2)


def read_messages(url: str) -> List[Message]:
    """Every parent's message with what the bot did next, from the `events` table."""
    engine = sa.create_engine(url, future=True)
    query = sa.text("SELECT sender_id, type_name, intent_name, action_name, timestamp, data "
                    "FROM events ORDER BY sender_id, id")
    found: List[Message] = []
    with engine.connect() as connection:
        try:
            rows = connection.execute(query).fetchall()
        except sa.exc.OperationalError:
            return []  # no conversation stored yet
    pending: Optional[Tuple[str, str, str, float]] = None
    for sender, kind, intent, action, timestamp, data in rows:
        if pending and pending[0] != sender:
            pending = None
        if kind == "user":
            text = str(json.loads(data).get("text") or "").replace("\u2060", "")
            pending = (sender, text, intent or "", float(timestamp or 0))
        elif kind == "action" and pending and action not in SKIPPED_ACTIONS:
            at = datetime.fromtimestamp(pending[3], tz=timezone.utc)
            found.append(Message(sender, pending[1], pending[2],
                                 KINDS.get(action, "andet"), at))
            pending = None
    return found


def read_feedback(url: str) -> List[Feedback]:
    """The latest rating per conversation and section, from the `answer_feedback` slot."""
    engine = sa.create_engine(url, future=True)
    query = sa.text("SELECT sender_id, timestamp, data FROM events "
                    "WHERE type_name = 'slot' ORDER BY id")
    latest: Dict[Tuple[str, str], Feedback] = {}
    with engine.connect() as connection:
        try:
            rows = connection.execute(query).fetchall()
        except sa.exc.OperationalError:
            return []
    for sender, timestamp, data in rows:
        event = json.loads(data)
        value = event.get("value")
        if event.get("name") != "answer_feedback" or not isinstance(value, dict):
            continue
        section, rating = value.get("section"), value.get("rating")
        if isinstance(section, str) and rating in ("op", "ned"):
            at = datetime.fromtimestamp(float(timestamp or 0), tz=timezone.utc)
            latest[(sender, section)] = Feedback(sender, section, rating, at)
    return list(latest.values())


def feedback_by_section(feedback: Sequence[Feedback]) -> List[Tuple[str, int, int]]:
    """(section id, helped, did not help), the most "did not help" first."""
    counts: Dict[str, Counter] = defaultdict(Counter)
    for item in feedback:
        counts[item.section][item.rating] += 1
    return sorted(((section, c["op"], c["ned"]) for section, c in counts.items()),
                  key=lambda row: (-row[2], -row[1], row[0]))


def group(messages: Sequence[Message], similarity: float = 0.5) -> List[Group]:
    """Messages with mostly the same words together (Jaccard >= similarity)."""
    groups: List[Group] = []
    for message in messages:
        words = _words(message.text)
        best = None
        for candidate in groups:
            union = words | candidate.words
            if union and len(words & candidate.words) / len(union) >= similarity:
                best = candidate
                break
        if best is None:
            best = Group(words=words)
            groups.append(best)
        best.messages.append(message)
        best.texts.append(message.text)
    return sorted(groups, key=lambda g: (-len(g.messages), g.texts[0]))


def _chart(title: str, labels: Sequence[str], values: Sequence[float], kind: str = "bar"
           ) -> str:
    """A small PNG chart as a data: URL."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3), dpi=100)
    if kind == "barh":
        axis.barh(list(labels)[::-1], list(values)[::-1], color="#00497a")
    else:
        axis.bar(list(labels), list(values), color="#00497a")
        axis.tick_params(axis="x", labelrotation=45)
    axis.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_report(messages: Sequence[Message], out_dir: Path,
                 section_titles: Dict[str, str], feedback: Sequence[Feedback] = (),
                 titles_by_id: Optional[Dict[str, str]] = None) -> Tuple[Path, Path]:
    """review.csv and review.html in `out_dir`; their paths. `section_titles` names
    sections by intent, `titles_by_id` by section id (for the feedback)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    review = [m for m in messages if m.kind in FOR_REVIEW]
    groups = group(review)

    csv_path = out_dir / "review.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["gruppe", "antal", "første", "seneste", "hvad skete der",
                         "eksempel", "andre formuleringer"])
        for number, item in enumerate(groups, 1):
            dates = [m.at for m in item.messages]
            writer.writerow([number, len(item.messages), min(dates).date().isoformat(),
                             max(dates).date().isoformat(),
                             Counter(m.kind for m in item.messages).most_common(1)[0][0],
                             item.texts[0],
                             " | ".join(sorted(set(item.texts[1:]) - {item.texts[0]})[:5])])

    conversations_per_day: Dict[str, set] = defaultdict(set)
    for m in messages:
        conversations_per_day[m.at.date().isoformat()].add(m.conversation)
    days = sorted(conversations_per_day)
    kinds = Counter(m.kind for m in messages)
    total = max(1, len(messages))
    shares = [("besvaret", kinds["besvaret"]),
              ("henvist/eskaleret", kinds["henvist til en person"] + kinds["akut fare (112)"]),
              ("uden for emnet", kinds["uden for emnet"]), ("usikker", kinds["usikker"])]
    sections = Counter(section_titles.get(m.intent, m.intent) for m in messages
                       if m.kind == "besvaret")
    top = sections.most_common(8)

    charts = [
        ("Samtaler pr. dag", _chart("Samtaler pr. dag", days,
                                    [len(conversations_per_day[d]) for d in days])),
        ("Hvad skete der med beskederne", _chart("Andel af beskeder (%)",
                                                 [k for k, _ in shares],
                                                 [100 * v / total for _, v in shares])),
        ("Mest brugte afsnit", _chart("Mest brugte afsnit", [t for t, _ in top],
                                      [c for _, c in top], kind="barh")),
    ]
    rated = feedback_by_section(feedback)
    feedback_rows = "\n".join(
        f"<tr><td>{html.escape((titles_by_id or {}).get(section, section))}</td>"
        f"<td>{up}</td><td>{down}</td><td>{100 * up / (up + down):.0f} %</td></tr>"
        for section, up, down in rated) or '<tr><td colspan="4">Ingen endnu.</td></tr>'
    rows = "\n".join(
        f"<tr><td>{n}</td><td>{len(g.messages)}</td>"
        f"<td>{min(m.at for m in g.messages).date()}</td>"
        f"<td>{max(m.at for m in g.messages).date()}</td>"
        f"<td>{html.escape(Counter(m.kind for m in g.messages).most_common(1)[0][0])}</td>"
        f"<td>{html.escape(g.texts[0])}</td>"
        f"<td>{html.escape(' | '.join(sorted(set(g.texts[1:]) - {g.texts[0]})[:5]))}</td></tr>"
        for n, g in enumerate(groups, 1))
    share_rows = "\n".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td>"
                           f"<td>{100 * v / total:.0f} %</td></tr>" for k, v in shares)
    figures = "\n".join(f'<figure><img src="{src}" alt="{html.escape(title)}">'
                        f"<figcaption>{html.escape(title)}</figcaption></figure>"
                        for title, src in charts)
    page = f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Gennemgang af chatbottens samtaler</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1b1b}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #5f6b75;padding:.3rem .6rem;
text-align:left;vertical-align:top}}figure{{display:inline-block;margin:0 1rem 1rem 0}}</style>
</head><body>
<h1>Gennemgang af chatbottens samtaler</h1>
<p>{len({m.conversation for m in messages})} samtaler, {len(messages)} beskeder,
{days[0] if days else "-"} til {days[-1] if days else "-"}. Personoplysninger er fjernet,
før samtalerne blev gemt.</p>
<h2>Nøgletal</h2>
<table id="noegletal"><thead><tr><th>Hvad skete der</th><th>Beskeder</th><th>Andel</th></tr>
</thead><tbody>{share_rows}</tbody></table>
{figures}
<h2>Forældrenes vurdering af svarene</h2>
<p>»Hjalp svaret?« under svarene i chatten: {len(feedback)} vurderinger. Afsnit med
mange »Nej« står øverst; læs dem igennem.</p>
<table id="tilbagemeldinger"><thead><tr><th>Afsnit</th><th>Hjalp</th><th>Hjalp ikke</th>
<th>Andel der hjalp</th></tr></thead><tbody>{feedback_rows}</tbody></table>
<h2>Spørgsmål botten ikke svarede sikkert på</h2>
<p>Grupperet efter ens ord. Tilføj en formulering som træningseksempel med
<code>python -m bot.cli learn "tekst" --afsnit &lt;afsnit&gt;</code>.</p>
<table id="ubesvarede"><thead><tr><th>Gruppe</th><th>Antal</th><th>Første</th><th>Seneste</th>
<th>Hvad skete der</th><th>Eksempel</th><th>Andre formuleringer</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>
"""
    html_path = out_dir / "review.html"
    html_path.write_text(page, encoding="utf-8")
    return csv_path, html_path


def add_training_example(nlu_dir: Path, intent: str, text: str) -> Path:
    """Append `text` as an example of `intent` to the NLU file that holds that intent:
    the topic's own file first (`tandpleje.yml` for `faq_tandpleje`), not `english.yml`."""
    own = intent.removeprefix("faq_")
    for path in sorted(nlu_dir.glob("*.yml"), key=lambda p: (p.stem != own, p.name)):
        if re.search(rf"^- intent: {re.escape(intent)}\s*$", path.read_text("utf-8"), re.M):
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\n- intent: {intent}\n  examples: |\n    - {text}\n")
            return path
    raise ValueError(f"ingen fil i {nlu_dir} har hensigten {intent}")
