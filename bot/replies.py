"""Pure builders for the bot's replies in the reply protocol of the design.

Each builder returns a list of keyword dicts for `dispatcher.utter_message(**kwargs)`,
so the actions stay thin and every reply can be tested without a server.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.knowledge import (
    SENDING_SECTION_ID,
    Contact,
    Knowledge,
    Section,
)

Reply = Dict[str, Any]

SECURE_MAIL_NOTE = (
    "Brug altid en sikker mail, hvis din besked indeholder personlige eller følsomme "
    "oplysninger."
)
TOPICS_HINT = (
    "Jeg kan svare på spørgsmål om Herning Kommunes politik for sårbare børn og unge og "
    "om børn og forebyggelse, fx tidlig indsats, overgange mellem dagtilbud og skole, "
    "inklusion, specialtilbud, sundhedspleje og tandpleje."
)


def format_phone(phone: str) -> str:
    """Danish grouping for display: 20674214 -> '20 67 42 14', 116111 -> '116 111'."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 8:
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if len(digits) == 6:
        return f"{digits[:3]} {digits[3:]}"
    return phone


def source_payload(section: Section) -> Dict[str, Any]:
    return {
        "source": {
            "id": section.id,
            "title": section.title,
            "document": section.document.title,
            "url": section.document.url,
        }
    }


def contact_payload(contact: Contact) -> Dict[str, Any]:
    return {
        "contact": {
            "id": contact.id,
            "name": contact.name,
            "role": contact.role,
            "phone": contact.phone,
            "email": contact.email,
        }
    }


def contact_sentence(contact: Contact) -> str:
    """'centerchef Bo Ulrich Bertelsen på telefon 20 67 42 14 eller cbfbo@herning.dk'."""
    text = f"{contact.role.lower()} {contact.name} på telefon {format_phone(contact.phone)}"
    if contact.email:
        text += f" eller på mail {contact.email}"
    return text


def section_answer(section: Section) -> List[Reply]:
    return [
        {"text": section.answer},
        {"json_message": source_payload(section)},
    ]


def contact_reply(knowledge: Knowledge, section_id: Optional[str]) -> List[Reply]:
    contact = knowledge.contact_for_section(section_id)
    section = knowledge.sections.get(section_id or "")
    if section:
        intro = f"Vil du tale med en person om {section.title.lower()}, kan du kontakte"
    else:
        intro = "Vil du tale med en person, kan du kontakte"
    return [
        {"text": f"{intro} {contact_sentence(contact)}. {SECURE_MAIL_NOTE}"},
        {"json_message": contact_payload(contact)},
    ]


_SEND = re.compile(r"\b(send\w*|tilsend\w*|mail\w*|e-?mail\w*|sms\w*|skriftlig\w*|link\w*)\b")


def followup_reply(knowledge: Knowledge, section_id: Optional[str], text: str) -> List[Reply]:
    """ "Kan du forklare det?": the latest answer's section again, with a person.

    "Kan du sende den til mig?" gets the section that says how to have the policy sent
    (the bot itself sends nothing). Without an answer to refer to, the bot asks.
    """
    if _SEND.search(text.lower()) and SENDING_SECTION_ID in knowledge.sections:
        sending = knowledge.sections[SENDING_SECTION_ID]
        return section_answer(sending) + contact_reply(knowledge, sending.id)
    section = knowledge.sections.get(section_id or "")
    if section is None:
        return clarify_reply(knowledge, [])
    intro = (f"Her er svaret fra afsnittet »{section.title}« igen. Er der noget i det, "
             "du vil vide mere om, kan du også tale med en person.")
    return [{"text": intro}] + section_answer(section) + contact_reply(knowledge, section.id)


def english_section_answer(section: Section, knowledge: Knowledge) -> List[Reply]:
    """A policy question asked in English: a note in English, the Danish answer with its
    source, and the person to contact (the bot has no English texts to answer from)."""
    contact = knowledge.default_contact
    note = ("Jeg kan desværre kun svare på dansk. Sorry, I can only answer in Danish: this "
            "is what the policy says about your question. For help in English, please "
            f"contact {contact_sentence(contact)}.")
    return [{"text": note}] + section_answer(section) + [
        {"json_message": contact_payload(contact)}]


def worry_reply(knowledge: Knowledge, offer_callback: bool = True) -> List[Reply]:
    """A worried parent who asks nothing: empathy, 112 if in danger, a person, and the
    topics that may help as buttons (and a callback, unless one is being requested).
    No section is cited: none answers a question that was not asked."""
    buttons = [{"title": knowledge.sections[topic].title,
                "payload": f"/{knowledge.sections[topic].intent}"}
               for topic in knowledge.worry_topic_ids]
    if offer_callback:
        buttons.append({"title": "Bliv ringet op", "payload": "/request_callback"})
    return (
        [{"text": "Det lyder svært, og det er godt, at du søger hjælp. "
                  "Er dit barn i akut fare, så ring 112."}]
        + contact_reply(knowledge, None)
        + [{"text": "Vil du vide, hvad kommunens politik siger om hjælp til jer? Vælg et "
                    "emne, eller skriv dit spørgsmål.", "buttons": buttons}]
    )


def out_of_scope_reply(knowledge: Knowledge) -> List[Reply]:
    return [
        {
            "text": (
                "Det kan jeg desværre ikke hjælpe med. "
                f"{TOPICS_HINT} Vil du tale med en person, kan du kontakte "
                f"{contact_sentence(knowledge.default_contact)}."
            )
        }
    ]


def input_problem_reply(problem: str, knowledge: Knowledge, max_chars: int) -> List[Reply]:
    """A clear Danish answer to input the bot cannot use; see `bot.text.inspect_input`."""
    contact = contact_sentence(knowledge.default_contact)
    limit = f"{max_chars:,}".replace(",", ".")
    texts = {
        "empty": "Jeg modtog ikke nogen tekst. Skriv dit spørgsmål med almindelige ord, "
        "så prøver jeg at hjælpe.",
        "markup": "Jeg kan kun læse almindelig tekst, ikke kode eller HTML. Skriv gerne "
        "dit spørgsmål med almindelige ord.",
        "no_words": "Jeg kan kun forstå skrevne ord, ikke emojis eller tegn alene. "
        "Skriv gerne dit spørgsmål med ord, fx: Hvad er tidlig indsats?",
        "too_long": f"Din besked er for lang til mig (over {limit} tegn). Skriv gerne dit "
        "spørgsmål kort, i en eller to sætninger. Vil du fortælle mere, kan du kontakte "
        f"{contact}. {SECURE_MAIL_NOTE}",
        "english": "Jeg kan desværre kun svare på dansk. Sorry, I can only answer in "
        f"Danish. For help in English, please contact {contact}.",
    }
    if problem not in texts:  # "unknown_words" and anything new: ask again
        return clarify_reply(knowledge, [])
    if problem == "english":  # the person to write to in English, as a card too
        return [{"text": texts[problem]},
                {"json_message": contact_payload(knowledge.default_contact)}]
    return [{"text": texts[problem]}]


def close_call(knowledge: Knowledge, ranking: Sequence[Dict[str, Any]], threshold: float
               ) -> Optional[Tuple[Section, Section]]:
    """(first, second) when the two best intents are topics and the first is at least
    `threshold` sure: the classifier's ambiguity between two sections, not its doubt."""
    if len(ranking) < 2 or float(ranking[0].get("confidence") or 0.0) < threshold:
        return None
    first = knowledge.section_for_intent(str(ranking[0].get("name") or ""))
    second = knowledge.section_for_intent(str(ranking[1].get("name") or ""))
    if first is None or second is None or first.id == second.id:
        return None
    return first, second


def see_also(section: Section) -> List[Reply]:
    return [{"text": f"Handlede dit spørgsmål snarere om {section.title.lower()}?",
             "buttons": [{"title": section.title, "payload": f"/{section.intent}"}]}]


def clarify_reply(
    knowledge: Knowledge, candidate_intents: Iterable[str], max_options: int = 2
) -> List[Reply]:
    """Ask which topic the parent means, or offer a person; never guess an answer."""
    options = []
    for intent in candidate_intents:
        section = knowledge.section_for_intent(intent)
        if section and section not in options:
            options.append(section)
        if len(options) == max_options:
            break
    person_button = {"title": "Tal med en medarbejder", "payload": "/request_person"}
    if not options:
        return [
            {
                "text": "Det forstod jeg ikke helt. Prøv at skrive det med andre ord. "
                f"{TOPICS_HINT}",
                "buttons": [person_button],
            }
        ]
    buttons = [{"title": s.title, "payload": f"/{s.intent}"} for s in options]
    return [
        {
            "text": "Jeg er ikke helt sikker på, hvad du mener. Handler dit spørgsmål om "
            "et af disse emner?",
            "buttons": buttons + [person_button],
        }
    ]


def privacy_note(knowledge: Knowledge, retention_days: int,
                 names: bool = True) -> List[Reply]:
    """What happens to what the parent writes (docs/privatliv.md says the same).

    `names`: children's names are redacted too (PRIVACY_REDACT_NAMES)."""
    contact = knowledge.default_contact
    return [
        {
            "text": (
                "Det du skriver her, gemmes hos Herning Kommune, så jeg kan svare i "
                "sammenhæng. CPR-numre, telefonnumre, mailadresser"
                f"{' og dit barns navn' if names else ''} fjernes, før samtalen gemmes. En "
                "samtale slettes automatisk, når der ikke er skrevet i den i "
                f"{retention_days} dage. Beder du om at blive ringet op, "
                "sendes din beskrivelse, dit navn og dit telefonnummer eller din mail kun til "
                "den medarbejder, du har sagt ja til, og gemmes med et referencenummer, så du "
                "kan blive kontaktet."
            )
        },
        {
            "text": (
                "Skriv ikke CPR-nummer eller helbredsoplysninger her. "
                f"{SECURE_MAIL_NOTE} Har du spørgsmål, eller vil du have slettet "
                f"oplysninger, kan du kontakte {contact_sentence(contact)}."
            )
        },
    ]


_NOT_STORED = {  # what, and the pronoun that refers back to it
    "CPR": ("det CPR-nummer", "det"),
    "TELEFON": ("det telefonnummer", "det"),
    "EMAIL": ("den mailadresse", "den"),
}


def secure_mail_sentence(contact: Contact) -> str:
    """Where personal and sensitive details go: secure mail to the contact, or a call."""
    who = f"{contact.role.lower()} {contact.name}"
    phone = format_phone(contact.phone)
    if contact.email:
        return (f"Personlige og følsomme oplysninger skal du sende med sikker mail til {who} "
                f"på {contact.email} eller fortælle i telefonen på {phone}.")
    return f"Personlige og følsomme oplysninger kan du fortælle {who} i telefonen på {phone}."


def personal_data_notice(types: List[str], contact: Contact,
                         offer_callback: bool = True) -> List[Reply]:
    """Tell the parent kindly what was not stored, and where sensitive details belong.

    `offer_callback` False when the parent is asking for a callback already."""
    found = [_NOT_STORED[kind] for kind in types if kind in _NOT_STORED]
    if not found:
        return []
    things = [thing for thing, _ in found]
    listed = things[0] if len(things) == 1 else ", ".join(things[:-1]) + " og " + things[-1]
    pronoun = found[0][1] if len(found) == 1 else "de"
    text = (f"Jeg har ikke gemt {listed}, du skrev; {pronoun} blev fjernet, inden samtalen "
            "blev gemt.")
    if "CPR" in types:
        text += " Skriv helst ikke CPR-nummer her."
    notice: Reply = {"text": f"{text} {secure_mail_sentence(contact)}"}
    if offer_callback and "CPR" not in types:
        notice["text"] += " Vil du kontaktes, kan du også bede om at blive ringet op."
        notice["buttons"] = [{"title": "Bliv ringet op", "payload": "/request_callback"}]
    return [notice, {"json_message": contact_payload(contact)}]
