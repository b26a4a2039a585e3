"""The bot's knowledge: policy sections, source documents and the contact directory.

Everything the bot states comes from `data/knowledge/`. This module loads and checks
those files; nothing is read at import time (`load_knowledge()` reads on first call).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

from bot import settings

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
    contact_id: str
    answer: str


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    role: str
    phone: str
    email: Optional[str]


@dataclass(frozen=True)
class Knowledge:
    sections: Mapping[str, Section]
    contacts: Mapping[str, Contact]
    default_contact_id: str
    general_worry_section_id: str

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
        contact = Contact(
            id=_text(entry, "id", here),
            name=_text(entry, "name", here),
            role=_text(entry, "role", here),
            phone=_text(entry, "phone", here),
            email=_text(entry, "email", here, optional=True),
        )
        if contact.id in contacts:
            raise KnowledgeError(f"{where}: contact id '{contact.id}' appears twice")
        contacts[contact.id] = contact
    return contacts


def _parse_sections(
    raw: Any, documents: Mapping[str, Document], contacts: Mapping[str, Contact], where: str
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
        contact_id = _text(entry, "contact", here)
        if document_key not in documents:
            raise KnowledgeError(f"{here}: unknown document '{document_key}'")
        if contact_id not in contacts:
            raise KnowledgeError(f"{here}: routed to unknown contact '{contact_id}'")
        section = Section(
            id=section_id,
            intent=_text(entry, "intent", here),
            title=_text(entry, "title", here),
            document=documents[document_key],
            heading=_text(entry, "heading", here),
            contact_id=contact_id,
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

    documents = _parse_documents(sections_raw.get("documents"), str(sections_path))
    sections = _parse_sections(
        sections_raw.get("sections"), documents, contacts, str(sections_path)
    )
    missing_sections = REQUIRED_SECTION_IDS - sections.keys()
    if missing_sections:
        raise KnowledgeError(f"{sections_path}: missing sections {sorted(missing_sections)}")
    worry_id = sections_raw.get("general_worry_section")
    if worry_id not in sections:
        raise KnowledgeError(f"{sections_path}: general_worry_section must name a section")
    return Knowledge(
        sections=sections,
        contacts=contacts,
        default_contact_id=default_contact_id,
        general_worry_section_id=worry_id,
    )


@functools.lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """The knowledge in the configured directory, read once per process."""
    return load_from(Path(settings.load().knowledge_dir))

