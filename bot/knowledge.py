"""The bot's knowledge: policy sections, source documents and the contact directory.

Everything the bot states comes from `data/knowledge/`. This module loads and checks
those files; nothing is read at import time (`load_knowledge()` reads on first call).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from bot import settings
from bot.hours import OpeningHours, OpeningHoursError

logger = logging.getLogger(__name__)

SECTIONS_FILE = "sections.yml"
CONTACTS_FILE = "contacts.yml"
DANGER_FILE = "danger.yml"

# Ids fixed by the design: other systems and the evaluation set depend on them.
REQUIRED_SECTION_IDS = frozenset(
    {
        "maalgruppe", "handicap", "tidlig-indsats", "overgange", "dokumentation",
        "fleksible-tilbud", "inddragelse", "faglighed", "trivsel-og-sundhed",
        "inklusion", "visioner", "politikkens-baggrund", "tilgaengelighed",
        "herningmodellen", "specialtilbud", "sundhedspleje", "tandpleje",
    }
)
REQUIRED_CONTACT_IDS = frozenset({"centerchef", "alarm-112", "boernetelefonen"})
EMERGENCY_CONTACT_ID = "alarm-112"
CHILDREN_CONTACT_ID = "boernetelefonen"
# The section that says the policy can be sent by mail: "kan du sende den til mig?"
SENDING_SECTION_ID = "tilgaengelighed"


class KnowledgeError(ValueError):
    """The knowledge files are missing something or contradict themselves."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    url: Optional[str]


@dataclass(frozen=True)
class Section:
    id: str
    intent: str
    title: str
    document: Document
    heading: str
    contact_id: str  # routed by the contacts' `topics` (the default contact without one)
    answer: str


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    role: str
    phone: str
    email: Optional[str]
    topics: Tuple[str, ...] = ()
    # None: staff have not given hours; the bot then says nothing about them.
    opening_hours: Optional[OpeningHours] = None


@dataclass(frozen=True)
class Knowledge:
    sections: Mapping[str, Section]
    contacts: Mapping[str, Contact]
    default_contact_id: str
    worry_topic_ids: Tuple[str, ...]

    def section_for_intent(self, intent: Optional[str]) -> Optional[Section]:
        for section in self.sections.values():
            if section.intent == intent:
                return section
        return None

    def contact_for_section(self, section_id: Optional[str]) -> Contact:
        """The person who answers for a section; the default contact without one."""
        section = self.sections.get(section_id or "")
        contact_id = section.contact_id if section else self.default_contact_id
        return self.contacts[contact_id]

    @property
    def default_contact(self) -> Contact:
        return self.contacts[self.default_contact_id]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise KnowledgeError(f"{path}: file is missing") from error
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from error


def _text(entry: Mapping[str, Any], key: str, where: str, optional: bool = False) -> Any:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise KnowledgeError(f"{where}: '{key}' must be a non-empty text")
    return " ".join(str(value).split())


def _parse_documents(raw: Any, where: str) -> Dict[str, Document]:
    if not isinstance(raw, dict) or not raw:
        raise KnowledgeError(f"{where}: 'documents' must map document keys to documents")
    return {
        key: Document(
            id=key,
            title=_text(doc, "title", f"{where}: document {key}"),
            url=_text(doc, "url", f"{where}: document {key}", optional=True),
        )
        for key, doc in raw.items()
    }


def _parse_contacts(raw: Any, where: str) -> Dict[str, Contact]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(f"{where}: 'contacts' must be a list")
    contacts: Dict[str, Contact] = {}
    for index, entry in enumerate(raw):
        here = f"{where}: contact #{index + 1}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{here}: must be a mapping")
        contact_id = _text(entry, "id", here)
        here = f"{where}: contact '{contact_id}'"
        topics = entry.get("topics") or []
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            raise KnowledgeError(f"{here}: 'topics' must be a list of section ids")
        try:
            hours = OpeningHours.parse(entry.get("opening_hours"), entry.get("closed_dates"))
        except OpeningHoursError as error:
            raise KnowledgeError(f"{here}: {error}") from error
        contact = Contact(
            id=contact_id,
            name=_text(entry, "name", here),
            role=_text(entry, "role", here),
            phone=_text(entry, "phone", here),
            email=_text(entry, "email", here, optional=True),
            topics=tuple(topics),
            opening_hours=hours,
        )
        if contact.id in contacts:
            raise KnowledgeError(f"{where}: contact id '{contact.id}' appears twice")
        contacts[contact.id] = contact
    return contacts


def _routing(
    contacts: Mapping[str, Contact], default_contact_id: str, where: str
) -> Dict[str, str]:
    """Section id -> contact id, from each contact's `topics`."""
    routing: Dict[str, str] = {}
    for contact in contacts.values():
        for topic in contact.topics:
            if topic in routing:
                raise KnowledgeError(
                    f"{where}: topic '{topic}' is routed to both '{routing[topic]}' and "
                    f"'{contact.id}'; give each topic one contact"
                )
            routing[topic] = contact.id
    return routing


def _parse_sections(
    raw: Any,
    documents: Mapping[str, Document],
    routing: Mapping[str, str],
    default_contact_id: str,
    where: str,
) -> Dict[str, Section]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(f"{where}: 'sections' must be a list")
    sections: Dict[str, Section] = {}
    intents: set = set()
    for index, entry in enumerate(raw):
        here = f"{where}: section #{index + 1}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{here}: must be a mapping")
        section_id = _text(entry, "id", here)
        here = f"{where}: section '{section_id}'"
        document_key = _text(entry, "document", here)
        if document_key not in documents:
            raise KnowledgeError(f"{here}: unknown document '{document_key}'")
        if "contact" in entry:
            raise KnowledgeError(
                f"{here}: 'contact' is no longer read here; list the section under the "
                f"contact's 'topics' in {CONTACTS_FILE}"
            )
        section = Section(
            id=section_id,
            intent=_text(entry, "intent", here),
            title=_text(entry, "title", here),
            document=documents[document_key],
            heading=_text(entry, "heading", here),
            contact_id=routing.get(section_id, default_contact_id),
            answer=_text(entry, "answer", here),
        )
        if section.id in sections:
            raise KnowledgeError(f"{where}: section id '{section.id}' appears twice")
        if section.intent in intents:
            raise KnowledgeError(f"{here}: intent '{section.intent}' is used twice")
        intents.add(section.intent)
        sections[section.id] = section
    return sections


def load_from(directory: Path) -> Knowledge:
    """Load and check the knowledge files in `directory`."""
    sections_path = directory / SECTIONS_FILE
    contacts_path = directory / CONTACTS_FILE
    sections_raw = _read_yaml(sections_path) or {}
    contacts_raw = _read_yaml(contacts_path) or {}

    contacts = _parse_contacts(contacts_raw.get("contacts"), str(contacts_path))
    missing_contacts = REQUIRED_CONTACT_IDS - contacts.keys()
    if missing_contacts:
        raise KnowledgeError(f"{contacts_path}: missing contacts {sorted(missing_contacts)}")
    default_contact_id = contacts_raw.get("default_contact")
    if default_contact_id not in contacts:
        raise KnowledgeError(f"{contacts_path}: default_contact must name a contact")

    routing = _routing(contacts, default_contact_id, str(contacts_path))
    documents = _parse_documents(sections_raw.get("documents"), str(sections_path))
    sections = _parse_sections(
        sections_raw.get("sections"), documents, routing, default_contact_id, str(sections_path)
    )
    missing_sections = REQUIRED_SECTION_IDS - sections.keys()
    if missing_sections:
        raise KnowledgeError(f"{sections_path}: missing sections {sorted(missing_sections)}")
    unknown_topics = sorted(set(routing) - sections.keys())
    if unknown_topics:
        raise KnowledgeError(
            f"{contacts_path}: contact '{routing[unknown_topics[0]]}' lists unknown topic "
            f"'{unknown_topics[0]}' (topics are section ids from {SECTIONS_FILE})"
        )
    worry_topics = sections_raw.get("worry_topics")
    if (not isinstance(worry_topics, list) or not worry_topics
            or any(topic not in sections for topic in worry_topics)):
        raise KnowledgeError(f"{sections_path}: worry_topics must list section ids")
    return Knowledge(
        sections=sections,
        contacts=contacts,
        default_contact_id=default_contact_id,
        worry_topic_ids=tuple(worry_topics),
    )


def _stamp(directory: Path) -> Tuple[Any, ...]:
    stamps: List[Optional[Tuple[int, int]]] = []
    for name in (SECTIONS_FILE, CONTACTS_FILE):
        try:
            stat = (directory / name).stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append(None)
    return (str(directory), *stamps)


class _Cache:
    """The last knowledge that passed the checks, and the file stamp it was read at."""

    stamp: Optional[Tuple[Any, ...]] = None
    knowledge: Optional[Knowledge] = None


def load_knowledge() -> Knowledge:
    """The knowledge in the configured directory.

    Read again when staff change a file, so that a new contact, new opening hours or
    a re-routed topic take effect in the running action server without a restart or
    retraining. If a changed file fails the checks, the last good knowledge stays in
    use and the error is logged; with no good knowledge yet, `KnowledgeError` is raised.
    """
    stamp = _stamp(Path(settings.load().knowledge_dir))
    if stamp != _Cache.stamp:
        try:
            _Cache.knowledge = load_from(Path(stamp[0]))
        except KnowledgeError:
            same_directory = _Cache.stamp is not None and _Cache.stamp[0] == stamp[0]
            if _Cache.knowledge is None or not same_directory:
                raise
            logger.exception("Changed knowledge files were rejected; keeping the last good ones")
        _Cache.stamp = stamp
    assert _Cache.knowledge is not None
    return _Cache.knowledge
