"""Who a young person is sent to: Børnetelefonen, or the municipality itself.

A young person who wants to talk to someone without giving a name or without their
parents being told, or who asks where one can call "som ung", needs Børnetelefonen
(free and anonymous), whether or not the message is a question ("jeg vil gerne snakke
med nogen anonymt", "is there a helpline for kids?"). A young person who wants to
complain about their own case, or asks for the municipality by name, needs the
municipal contact, with Børnetelefonen beside it. Patterns over the folded text
(`bot.text.fold`), Danish and English.
"""

from __future__ import annotations

import re

from bot.text import fold

_CHILDRENS_LINE = re.compile(
    r"\b(snakke|tale|ringe|skrive|chatte|talk|call|chat|text)\b[^.?!]{0,40}\banonym(t|ly|ous|ously)?\b"
    r"|\banonym(t|ly|ous|ously)?\b[^.?!]{0,40}\b(snakke|tale|ringe|skrive|chatte|talk|call|chat)\b"
    r"|\buden\s+at\s+(\w+\s+)?(sige|give|oplyse|opgive|skrive)\s+(mit|sit|dit|sin|min)\s+"
    r"(eget\s+)?navn"
    r"|\b(ik(ke|k|e)?|ingen)\s+(skal|behover|ma)\s+(\w+\s+)?(sige|give|oplyse|vide)\s+"
    r"(mit|sit|dit|hvem)\b"
    r"|\buden\s+at\s+(mine|mor|far|mine\s+foraldre|mine\s+forældre)\b[^.?!]{0,30}\b(ved|"
    r"vide|far\s+(det\s+)?at\s+vide)"
    r"|\b(help|hot|phone|chat)\s*-?\s*lines?\s+for\s+(kids|children|teens|teenagers|young"
    r"\s+people)\b|\b(kids|children|childrens|child|teen|youth)'?s?\s+(help\s*)?(line|phone)"
    r"|\b(won.?t|will\s+not|wont|doesn.?t|does\s+not)\s+tell\s+my\s+(parents|mum|mom|dad)\b"
    # "et sted man kan ringe hen som ung"
    r"|\b(ringe|skrive|snakke|tale|henvende\s+sig)\s+(hen\s+|til\s+)?som\s+(ung|barn|teenager)\b"
)
_MUNICIPALITY = re.compile(
    r"\bklag\w*|\bmin\s+(egen\s+)?sag\b|\bsagsbehandler\w*|\b(hos|i|til|pa)\s+kommunen\b"
    r"|\bcomplain\w*|\bmy\s+(own\s+)?case\b|\bcaseworker\b"
)


def asks_for_the_childrens_line(text: str) -> bool:
    """Someone to talk to without a name, without the parents told, or "som ung":
    Børnetelefonen."""
    return _CHILDRENS_LINE.search(fold(text or "")) is not None


def wants_the_municipality(text: str) -> bool:
    """A young writer asks about their own case, a complaint or the municipality."""
    return _MUNICIPALITY.search(fold(text or "")) is not None
