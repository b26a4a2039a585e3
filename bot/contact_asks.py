"""What a message asks of a contact: a person, a detail, or a line for the child.

"Hvem kan jeg kontakte om ...", "og mailen?", "hvor kan hun selv ringe?". A young person
who wants to talk to someone without giving a name or without their parents being told,
or who asks where one can call "som ung", needs Børnetelefonen (free and anonymous),
whether or not the message is a question; a young person who wants to complain about
their own case, or asks for the municipality by name, needs the municipal contact, with
Børnetelefonen beside it. Pure functions over the text (folded where they say so,
`bot.text.fold`), Danish and English; the safety net and the contact action call them.
"""

from __future__ import annotations

import re
from typing import List

from bot.callback import CORRECTION_WORDS, parse_reach
from bot.text import fold, points_back, starts_as_question

# Compounds count ("hovednummer", "telefonnummeret", "mailadresse").
_CONTACT_WORDS = re.compile(
    r"\b\w*(nummer|nummr|telefon|mail)\w*|\b(nr|tlf|mobil\w*|e-?mail\w*|kontakt\w*|"
    r"phone|number|contact)\b"
)
CONTACT_ASK_MAX_WORDS = 5
# "politikken på mail", "pdf på mail": a way to get the policy, not a person's address.
_POLICY_WORDS = re.compile(r"\b(politik\w*|pdf\w*|tekst\w*|retningslinje\w*|dokument\w*|"
                           r"tilsend\w*)\b")


def asks_for_contact_detail(text: str) -> bool:
    """ "og mailen?", "telefon nummer": asks for a number or an address, gives none and
    corrects nothing. Outside the callback request this is a question for a contact."""
    lowered = (text or "").lower()
    return (
        _CONTACT_WORDS.search(lowered) is not None
        and "cpr" not in lowered  # a question about one's CPR number is about privacy
        and not CORRECTION_WORDS.search(lowered)
        and not any(ch.isdigit() for ch in lowered)
        and parse_reach(text) is None
    )


# "Hvem kan jeg kontakte om ...", "er der nogen jeg kan tale med", "kan jeg skrive til
# nogen om ...": a person is asked for, whatever topic the question also names.
_WHO_TO_REACH = re.compile(
    r"\b(hvem|nogen|nogle)\b[^.?!]{0,30}\b(kontakte|ringe\s+til|skrive\s+til|tale\s+med|"
    r"snakke\s+med|henvende\s+mig|spørge)\b"
    r"|\b(kontakte|ringe\s+til|skrive\s+(en\s+mail\s+)?til|tale\s+med|snakke\s+med|"
    r"henvende\s+mig\s+til)\s+(nogen|en\s+person|en\s+medarbejder|en\s+voksen)\b"
    # "hvordan kommer jeg i kontakt med nogen om ...", "hvem har ansvaret for ...",
    # "er der en jeg kan henvende mig til om ..."
    r"|\bi\s+kontakt\s+med\s+(nogen|en|jer|kommunen)\b"
    r"|\bhvem\s+(har\s+(det\s+)?ansvaret|er\s+ansvarlig|er\s+chef|leder|bestemmer(?!\s+(sammen\s+)?med))\b"
    r"|\ber\s+der\s+(en|nogen)\b[^.?!]{0,20}\b(henvende\s+mig|kontakte|ringe\s+til|"
    r"skrive\s+til|tale\s+med|snakke\s+med)\b"
    # "tale med en der kan noget", "hvordan får jeg fat på en?", "hvilken mail skal jeg bruge?"
    r"|\b(tale|snakke)\s+med\s+(en|nogen)\s+(der|som)\b"
    r"|\bf[aå]r?\s+(jeg\s+|vi\s+|man\s+)?fat\s+(på|pa|i)\s+(en|nogen|jer|kommunen|en\s+person)\b"
    r"|\bhvilken\s+(mail\w*|e-?mail\w*|adresse)\s+(skal|kan)\s+jeg\b"
)


def _asked(text: str) -> bool:
    """A question, also after a sentence or a clause of story: "nåå. hvem kan jeg ...",
    "hun vil tale med en voksen, er der et sted ..."."""
    return text.endswith("?") or any(
        starts_as_question(part) for part in re.split(r"(?<=[.!,;])\s+", text))


def _questions(text: str) -> List[str]:
    """The sentences of `text` that ask something: a story sentence before the question
    ("jeg har været i kontakt med kommunen i flere år.") asks nothing."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s and _asked(s)]


def asks_for_a_person(text: str) -> bool:
    """Asks who to contact ("hvem kan jeg ringe til om tandplejen?"), not what the policy
    says. Only a question: "jeg vil gerne tale med nogen om ..." may be a form answer."""
    return any(_WHO_TO_REACH.search(s.lower()) for s in _questions(text or ""))


# "Hvor kan hun selv ringe?", "en rådgivning hvor børn og unge selv kan ringe": a line
# for the child, not for the parent (folded text: "son", "born", "radgivning").
_FOR_THE_CHILD = re.compile(
    r"\b(hun|han|barnet|min\s+(son|datter|dreng|pige)|vores\s+\w+|unge|born|teenager\w*)"
    r"\b[^.?!]{0,30}\b(selv\s+)?(kan|ma)\s+(selv\s+)?(ringe|skrive|tale|snakke|henvende)\b"
    r"|\b(kan|ma)\s+(hun|han|barnet|(min|vores)\s+\w+|de\s+unge|bornene)\s+(selv\s+)?"
    r"(ringe|skrive|tale|snakke|henvende)\b"
    r"|\b(radgivning|telefon|linje|sted)\w*\s+(for|til)\s+(born|unge|teenager\w*)\b"
)


def asks_for_the_childs_own_line(text: str) -> bool:
    """A parent asks where the child can turn themselves: Børnetelefonen's card. Only a
    question, as `asks_for_a_person`."""
    stripped = (text or "").strip()
    return _asked(stripped) and _FOR_THE_CHILD.search(fold(stripped)) is not None


# "hvad hedder han?" after a card; "kan jeg skrive i stedet for at ringe?" (an address).
# "hvad er hans stilling?", "hvem er det jeg skriver til?", "er det ham bo ulrich?", "hvad
# hedder det sted igen?", "og hvis jeg hellere vil ringe?", "er 20674214 også hans mobil?"
_NAME_ASK = re.compile(r"\b(hvad\s+hedder|hvem\s+er)\s+(han|hun|personen|chefen|centerchefen|"
                       r"vedkommende|det\s+sted|stedet)\b|\bwhat.?s\s+(his|her)\s+name\b"
                       r"|\bhvad\s+er\s+(hans|hendes)\s+(stilling|titel|rolle|job|navn|efternavn)\b"
                       r"|\bhvem\s+er\s+det\s+(jeg|man)\s+(skriver|ringer|taler)\s+(til|med)\b"
                       r"|^\W*er\s+det\s+(ham|hende)\b|\b(hellere|heller)\s+(vil\s+)?ringe\b"
                       r"|^\W*er\s+[\d\s]{8,}\s*(også|ogsaa|osse)?\s*(hans|hendes|jeres|deres)\b")
_WRITE_INSTEAD = re.compile(r"\b(skrive|maile|sende\s+en\s+mail|write|e-?mail)\b[^.?!]{0,20}"
                            r"\b(i\s+stedet\s+for\s+at\s+ringe|instead\s+of\s+call\w*)\b")


# "kan man sende ham en mail?", "skal det være en sikker mail?": writing to the person.
_WRITE_TO = re.compile(r"\b(sende|skrive|maile)\s+(til\s+)?(ham|hende)\b"
                       r"|\bsikker\s*(mail|post|e-?mail)\b|\bsecure\s+(e-?mail|mail)\b")


def is_contact_ask(text: str) -> bool:
    """A bare ask for a contact detail ("telefon?", "og hans mail", "hvad hedder han?"):
    a few words only, and not about getting the policy itself ("politikken på mail");
    or an ask to write instead of calling (the address, not the callback form)."""
    lowered = (text or "").lower()
    if _POLICY_WORDS.search(lowered) is not None:
        return False
    if _WRITE_INSTEAD.search(lowered) or _WRITE_TO.search(lowered):
        return True
    if _NAME_ASK.search(lowered) is not None:
        return len(lowered.split()) <= CONTACT_ASK_MAX_WORDS + 3
    return len(lowered.split()) <= CONTACT_ASK_MAX_WORDS and asks_for_contact_detail(text)


REFERS_BACK_MAX_WORDS = 6
CARD_FOLLOW_UP_MAX_WORDS = 10
# Right after a contact card: a few words about calling or writing to that person.
_CARD_WORDS = re.compile(
    r"\b(ring\w*|skriv\w*|\w*mail\w*|\w*nummer\w*|telefon\w*|tlf|mobil\w*|sms\w*|hedder|"
    r"navn\w*|traf\w*|abningstid\w*|aben|abent|tider|gratis|koster|svarer|anonym\w*|"
    r"adresse\w*|kontor\w*|stilling|titel|ham|hende|call\w*|phone|e-?mail|number|name|"
    r"him|her|open|free)\b")


def about_the_card(text: str) -> bool:
    """ "Er det gratis?", "kan jeg fange ham i morgen?", "skal det være en sikker mail?":
    right after a card, about calling or writing to that person, not about the policy."""
    folded = fold(text or "")
    return (len(folded.split()) <= CARD_FOLLOW_UP_MAX_WORDS
            and _CARD_WORDS.search(folded) is not None
            and _POLICY_WORDS.search(folded) is None)


def refers_back(text: str) -> bool:
    """ "Hvem står bag den?" right after a card: about that card, and about no one new
    (not "hvem kan jeg selv kontakte i kommunen?")."""
    return (points_back(text, REFERS_BACK_MAX_WORDS)
            and not re.search(r"\b(kommun\w*|jer|selv|mig)\b", (text or "").lower()))


def about_the_last_card(text: str) -> bool:
    """Right after a card, a message about that card: a bare detail ("og mailen?"), a
    word that points back ("hvem står bag den?") or calling and writing ("er det gratis?")."""
    return is_contact_ask(text) or refers_back(text) or about_the_card(text)


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
    # Børnetelefonen by name: "hvordan får jeg fat i børnetelefonen?"
    r"|\bbornetelefon\w*"
    # "en voksen der ikke er fra kommunen", "uden at kommunen ved det"
    r"|\b(voksen|nogen|en)\s+(der|som)\s+ik(ke|k|e)?\s+er\s+fra\s+(kommunen|skolen)\b"
    r"|\buden\s+at\s+(kommunen|skolen|min\s+lærer|min\s+larer)\s+(ved|far\s+at\s+vide)\b"
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
