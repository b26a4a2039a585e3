"""Danish replies of the callback request and of opening hours (pure builders)."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, List, Optional

from bot.callback import DESCRIPTION, NAME, REACH, Reach
from bot.handoff_store import StoredRequest
from bot.hours import when
from bot.knowledge import EMERGENCY_CONTACT_ID, Contact, Knowledge, Section
from bot.replies import SECURE_MAIL_NOTE, Reply, contact_payload, format_phone

PRIVACY_NOTE = (
    "Skriv ikke CPR-nummer eller helbredsoplysninger her. " + SECURE_MAIL_NOTE
)
STOP_HINT = "Du kan skrive \"stop\" når som helst."
FIELD_NAMES: Dict[str, str] = {
    DESCRIPTION: "beskrivelsen",
    NAME: "dit navn",
    REACH: "dit telefonnummer eller din mail",
}
REQUEST_CALLBACK_BUTTON = {"title": "Bliv ringet op", "payload": "/request_callback"}


def _who(contact: Contact) -> str:
    return f"{contact.role.lower()} {contact.name}"


def availability_sentence(contact: Contact, now: datetime, callbacks: bool) -> Optional[str]:
    """Whether the contact can be reached now (Danish time); None when hours are unknown."""
    hours = contact.opening_hours
    if hours is None:
        return None
    if hours.is_open(now):
        return f"Der er åbent nu ({hours.describe()})."
    sentence = "Der er lukket lige nu."
    opening = hours.next_opening(now)
    if opening:
        sentence += f" {contact.name} kan træffes igen {when(opening, now)}."
    sentence += f" Åbningstid: {hours.describe()}."
    if callbacks:
        sentence += " Du kan bede om at blive ringet op, så kontakter vi dig, når der er åbent."
    return sentence + " Er et barn i akut fare, så ring 112."


def callback_intro(contact: Contact, section: Optional[Section], now: datetime) -> List[Reply]:
    about = f" om {section.title.lower()}" if section else ""
    text = (
        f"Jeg kan sende en besked{about} til {_who(contact)}, så du bliver kontaktet. "
        "Jeg spørger om fire ting, én ad gangen: hvad det drejer sig om, dit navn, "
        f"hvordan du kan kontaktes, og om jeg må sende det. {STOP_HINT}"
    )
    replies: List[Reply] = [{"text": text}, {"json_message": contact_payload(contact)}]
    if contact.opening_hours and not contact.opening_hours.is_open(now):
        opening = contact.opening_hours.next_opening(now)
        if opening:
            replies.append({"text": f"Der er lukket lige nu, så du bliver tidligst kontaktet "
                                    f"{when(opening, now)}. Er et barn i akut fare, så ring 112."})
    return replies


def callback_unavailable(contact: Contact) -> List[Reply]:
    text = (
        "Jeg kan desværre ikke sende beskeder til kommunens medarbejdere lige nu. "
        f"Du kan i stedet ringe til {_who(contact)} på telefon {format_phone(contact.phone)}"
    )
    if contact.email:
        text += f" eller skrive til {contact.email}"
    return [{"text": text + f". {SECURE_MAIL_NOTE}"}, {"json_message": contact_payload(contact)}]


def ask_consent(
    contact: Contact, section: Optional[Section], description: str, name: str, reach: Reach
) -> List[Reply]:
    how = "Telefon" if reach.phone else "E-mail"
    summary = "\n".join(
        [
            f"Her er din besked til {_who(contact)}:",
            f"Emne: {section.title if section else 'Ikke angivet'}",
            f"Beskrivelse: {description}",
            f"Navn: {name}",
            f"{how}: {reach.display}",
            "",
            f"Må jeg sende disse oplysninger til {contact.name}, så du kan blive kontaktet? "
            "De gemmes hos Herning Kommune sammen med et referencenummer. Svar ja eller nej.",
        ]
    )
    field_payload = '/correct_callback{{"callback_field": "{}"}}'
    buttons = [
        {"title": "Ja, send det", "payload": "/affirm"},
        {"title": "Ret telefon eller mail", "payload": field_payload.format(REACH)},
        {"title": "Ret navn", "payload": field_payload.format(NAME)},
        {"title": "Ret beskrivelse", "payload": field_payload.format(DESCRIPTION)},
        {"title": "Nej, send ikke", "payload": "/deny"},
    ]
    return [{"text": summary, "buttons": buttons}]


def consent_unclear() -> List[Reply]:
    return [{"text": "Skriv ja, hvis jeg må sende beskeden, eller nej, hvis jeg ikke må. "
                     "Vil du rette noget, så skriv fx \"ret mit telefonnummer\"."}]


def description_problem(problem: str, max_chars: int) -> List[Reply]:
    texts = {
        "short": "Skriv gerne med et par ord, hvad du vil tale om, fx \"overgangen til skole\".",
        "long": f"Beskeden er lidt for lang. Skriv den kort, højst {max_chars} tegn; resten kan "
        "du fortælle, når du bliver kontaktet.",
        "cpr": "Din besked ser ud til at indeholde et CPR-nummer. Jeg har ikke gemt den. "
        "Skriv den venligst igen uden CPR-nummer. " + SECURE_MAIL_NOTE,
    }
    return [{"text": texts[problem]}]


def name_problem() -> List[Reply]:
    return [{"text": "Det forstod jeg ikke som et navn. Skriv dit fornavn, eller dit fulde "
                     f"navn, så medarbejderen ved, hvem de skal spørge efter. {STOP_HINT}"}]


def reach_problem() -> List[Reply]:
    return [{"text": "Det ligner ikke et dansk telefonnummer eller en mailadresse. Skriv et "
                     "telefonnummer med 8 cifre (gerne med +45), fx 12 34 56 78, eller en "
                     f"mailadresse med @. {STOP_HINT}"}]


def corrected(slot: str, shown: Optional[str]) -> List[Reply]:
    if shown:
        return [{"text": f"Tak, jeg har rettet {FIELD_NAMES[slot]} til {shown}."}]
    return [{"text": f"Ok, lad os rette {FIELD_NAMES[slot]}."}]


def which_correction(filled: List[str]) -> List[Reply]:
    payload = '/correct_callback{{"callback_field": "{}"}}'
    buttons = [{"title": f"Ret {FIELD_NAMES[slot]}", "payload": payload.format(slot)}
               for slot in filled]
    return [{"text": "Hvad vil du rette?", "buttons": buttons}] if buttons else []


def nothing_to_correct() -> List[Reply]:
    return [{"text": "Der er ingen besked i gang, som kan rettes. Vil du bede om at blive "
                     "ringet op, så skriv fx \"ring mig op\".",
             "buttons": [REQUEST_CALLBACK_BUTTON]}]


def cancelled(in_form: bool) -> List[Reply]:
    if in_form:
        return [{"text": "Ok, jeg har stoppet. Jeg har hverken gemt eller sendt noget. "
                         "Skriv gerne, hvis der er andet, jeg kan hjælpe med."}]
    return [{"text": "Ok. Skriv gerne, hvis der er andet, jeg kan hjælpe med."}]


def not_sent() -> List[Reply]:
    return [{"text": "Ok, jeg sender ikke noget, og din besked er ikke gemt. "
                     "Skriv gerne, hvis der er andet, jeg kan hjælpe med."}]


def submitted(request: StoredRequest, contact: Contact, reach: Reach,
              knowledge: Knowledge, now: datetime) -> List[Reply]:
    how = "ringer til dig på" if reach.phone else "skriver til dig på"
    text = (
        f"Tak, {request.parent_name}. Din besked er sendt til {_who(contact)}, som {how} "
        f"{reach.display}. Dit referencenummer er {request.reference}; nævn det, hvis du "
        "kontakter kommunen om sagen."
    )
    hours = availability_sentence(contact, now, callbacks=False)
    if hours and contact.opening_hours and not contact.opening_hours.is_open(now):
        text += " " + hours
    else:
        emergency = knowledge.contacts[EMERGENCY_CONTACT_ID]
        text += f" Er et barn i akut fare, så ring {emergency.phone}."
    return [
        {"text": text},
        {"json_message": {"handoff": {"reference": request.reference, "contact": contact.id}}},
    ]


def store_failed(contact: Contact) -> List[Reply]:
    return [
        {"text": "Beklager, det lykkedes ikke at gemme din besked, så den er ikke sendt. "
                 f"Ring i stedet til {_who(contact)} på telefon {format_phone(contact.phone)}."
                 " Er et barn i akut fare, så ring 112."},
        {"json_message": contact_payload(contact)},
    ]
