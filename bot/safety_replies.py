"""Replies to acute danger and to a child or young person writing about themselves.

Builders in the shape of `bot.replies` (keyword dicts for `dispatcher.utter_message`):
"Ring 112 nu." first; a child is spoken to and offered Børnetelefonen, never "du og
dit barn" (docs/child-safety.md).
"""

from __future__ import annotations

from typing import List

from bot.knowledge import CHILDREN_CONTACT_ID, EMERGENCY_CONTACT_ID, Knowledge, Section
from bot.replies import (
    Reply,
    contact_payload,
    contact_sentence,
    format_phone,
    section_answer,
    source_payload,
)


def children_line(knowledge: Knowledge) -> List[Reply]:
    """Børnetelefonen for a young person: free, anonymous, and its card."""
    children = knowledge.contacts[CHILDREN_CONTACT_ID]
    return [
        {"text": f"Du kan ringe gratis og anonymt til {children.name} på "
                 f"{format_phone(children.phone)} og tale med en voksen om det, der sker."},
        {"json_message": contact_payload(children)},
    ]


def young_worry_reply(knowledge: Knowledge) -> List[Reply]:
    """A child or young person about themselves, not in danger: to them, as "du"."""
    return (
        [{"text": "Tak fordi du skriver. Det lyder svært, og det er godt, at du fortæller "
                  "det. Du behøver ikke klare det alene. Er du i fare lige nu, så ring 112."}]
        + young_contact_reply(knowledge)
    )


def young_contact_reply(knowledge: Knowledge, language: str = "da") -> List[Reply]:
    """A young person asking who they can talk to: Børnetelefonen and a grown-up. In
    English, a line in English first (the rest stays Danish, as every answer does)."""
    children = knowledge.contacts[CHILDREN_CONTACT_ID]
    english: List[Reply] = [] if language == "da" else [
        {"text": f"Children and young people can call {children.name} for free and "
                 f"anonymously on {format_phone(children.phone)}."}]
    return english + children_line(knowledge) + [
        {"text": "Du kan også tale med en voksen, du stoler på, fx en lærer, "
                 "sundhedsplejersken eller en voksen i din familie."}]


def young_section_answer(section: Section, knowledge: Knowledge) -> List[Reply]:
    """A policy answer for a young person: never "du og dit barn". An answer written
    to parents is named, not read out; then Børnetelefonen."""
    if "dit barn" in section.answer.lower():
        text = (f"Det, du spørger om, står i afsnittet \"{section.title}\" i kommunens "
                "politik. Teksten er skrevet til forældre, så spørg gerne en voksen, du "
                "stoler på, om at læse den med dig.")
        answer: List[Reply] = [{"text": text}, {"json_message": source_payload(section)}]
    else:
        answer = section_answer(section)
    return answer + [{"text": "Vil du tale med nogen om det, der sker for dig, er der "
                              "hjælp at få."}] + children_line(knowledge)


def acute_danger_reply(knowledge: Knowledge, young: bool = False,
                       language: str = "da") -> List[Reply]:
    """ "Ring 112 nu." first, unconditionally, with the 112 card; then, for a child
    writing about themselves, "not your fault" and Børnetelefonen (no municipal card);
    for a parent, Børnetelefonen and the municipal contact. A message the bot cannot
    read as Danish is answered in Danish and English."""
    emergency = knowledge.contacts[EMERGENCY_CONTACT_ID]
    children = knowledge.contacts[CHILDREN_CONTACT_ID]
    municipal = knowledge.default_contact
    first = f"Ring {emergency.phone} nu."
    if language != "da":
        first += f" Call {emergency.phone} now."
    replies: List[Reply] = [{"text": first}, {"json_message": contact_payload(emergency)}]
    phone = format_phone(children.phone)
    if language != "da":
        return replies + [
            {"text": f"Børn og unge kan også ringe gratis og anonymt til {children.name} på "
                     f"{phone}. Children and young people can call {phone} for free."},
            {"json_message": contact_payload(children)},
        ]
    if young:
        return replies + [
            {"text": "Det er ikke din skyld. Du har gjort det rigtige ved at skrive. Når du "
                     "er i sikkerhed, kan du ringe gratis og anonymt til "
                     f"{children.name} på {phone} og tale med en voksen om det."},
            {"json_message": contact_payload(children)},
        ]
    return replies + [
        {"text": f"Børn og unge kan selv ringe gratis og anonymt til {children.name} på "
                 f"{phone}."},
        {"json_message": contact_payload(children)},
        {"text": "Når barnet er i sikkerhed, kan du kontakte kommunen: "
                 f"{contact_sentence(municipal)}."},
        {"json_message": contact_payload(municipal)},
    ]
