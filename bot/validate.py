"""The project's own checks of the files staff edit, with file and line in Danish.

`python -m bot.cli validate` runs these and then Rasa's own `rasa data validate`.
Each problem names the file and line to fix:

- every YAML file is well formed;
- no training example sits under two intents;
- every section (data/knowledge/sections.yml) has an answer, a known document, an
  intent in domain.yml and at least MIN_EXAMPLES examples in data/nlu/;
- every faq_* intent in domain.yml has a section to answer from;
- every contact exists and every topic a contact lists is a known section;
  default_contact names a contact;
- data/knowledge/english_terms.yml maps English terms to Danish words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

MIN_EXAMPLES = 15
YAML_FILES = ("domain.yml", "config.yml", "data/nlu/*.yml", "data/stories/*.yml",
              "data/knowledge/*.yml")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _compose(path: Path, root: Path, problems: List[Problem]) -> Optional[yaml.Node]:
    try:
        return yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(_relative(path, root), line,
                                f"ugyldig YAML: {error.problem or error.context}"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(Problem(_relative(path, root), 1, f"ugyldig YAML: {error}"))
    return None


def _get(node: Optional[yaml.Node], key: str) -> Optional[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if getattr(key_node, "value", None) == key:
                return value
    return None


def _items(node: Optional[yaml.Node]) -> List[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _text(node: Optional[yaml.Node]) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def nlu_examples(paths: Iterable[Path], root: Path, problems: List[Problem]
                 ) -> List[Tuple[str, str, str, int]]:
    """(intent, example, file, line) for every training example."""
    found = []
    for path in paths:
        document = _compose(path, root, problems)
        for block in _items(_get(document, "nlu")):
            intent = _text(_get(block, "intent"))
            examples = _get(block, "examples")
            if not intent or not isinstance(examples, yaml.ScalarNode):
                continue
            # A literal block ("examples: |"): its content starts on the next line.
            first = examples.start_mark.line + (1 if examples.style in ("|", ">") else 0)
            for offset, line in enumerate(str(examples.value).splitlines()):
                line = line.strip()
                if line.startswith("- "):
                    found.append((intent, line[2:], _relative(path, root), first + offset + 1))
    return found


def check(root: Path) -> List[Problem]:
    """Every problem in the project at `root`, in file order."""
    problems: List[Problem] = []
    for pattern in YAML_FILES:
        for path in sorted(root.glob(pattern)):
            _compose(path, root, problems)
    if problems:
        return problems  # the rest needs readable files

    examples = nlu_examples(sorted((root / "data" / "nlu").glob("*.yml")), root, problems)
    first_seen: Dict[str, Tuple[str, str, int]] = {}
    per_intent: Dict[str, int] = defaultdict(int)
    for intent, example, file, line in examples:
        per_intent[intent] += 1
        key = normalised(example)
        seen = first_seen.setdefault(key, (intent, file, line))
        if seen[0] != intent:
            problems.append(Problem(file, line, (
                f"eksemplet »{example}« står under {intent}, men også under {seen[0]} "
                f"({seen[1]}:{seen[2]}); et eksempel må kun høre til én hensigt")))

    domain_path = root / "domain.yml"
    domain = _compose(domain_path, root, problems)
    domain_intents = {_text(item): item.start_mark.line + 1
                      for item in _items(_get(domain, "intents"))}

    sections_path = root / "data" / "knowledge" / "sections.yml"
    sections_doc = _compose(sections_path, root, problems)
    documents_node = _get(sections_doc, "documents")
    documents = ({_text(key) for key, _ in documents_node.value}
                 if isinstance(documents_node, yaml.MappingNode) else set())
    section_ids: Dict[str, int] = {}
    section_intents = set()
    where = _relative(sections_path, root)
    for item in _items(_get(sections_doc, "sections")):
        line = item.start_mark.line + 1
        section_id, intent = _text(_get(item, "id")), _text(_get(item, "intent"))
        section_ids[section_id] = line
        section_intents.add(intent)
        if not _text(_get(item, "answer")).strip():
            problems.append(Problem(where, line, f"afsnittet {section_id} har intet svar "
                                    "(answer)"))
        document = _text(_get(item, "document"))
        if document not in documents:
            problems.append(Problem(where, line, f"afsnittet {section_id} henviser til et "
                                    f"ukendt dokument »{document}«"))
        if intent not in domain_intents:
            problems.append(Problem(where, line, f"afsnittet {section_id} bruger hensigten "
                                    f"{intent}, som ikke står i domain.yml"))
        if per_intent.get(intent, 0) < MIN_EXAMPLES:
            problems.append(Problem(where, line, (
                f"afsnittet {section_id} ({intent}) har {per_intent.get(intent, 0)} "
                f"eksempler i data/nlu/; der skal være mindst {MIN_EXAMPLES}")))
    for intent, line in domain_intents.items():
        if intent.startswith("faq_") and intent not in section_intents:
            problems.append(Problem("domain.yml", line, (
                f"hensigten {intent} har intet afsnit i data/knowledge/sections.yml at "
                "svare ud fra")))

    contacts_path = root / "data" / "knowledge" / "contacts.yml"
    contacts_doc = _compose(contacts_path, root, problems)
    where = _relative(contacts_path, root)
    contact_ids = set()
    for contact in _items(_get(contacts_doc, "contacts")):
        contact_ids.add(_text(_get(contact, "id")))
        for topic in _items(_get(contact, "topics")):
            if _text(topic) not in section_ids:
                problems.append(Problem(where, topic.start_mark.line + 1, (
                    f"kontakten {_text(_get(contact, 'id'))} svarer for »{_text(topic)}«, "
                    "som ikke er et afsnit i sections.yml")))
    default = _get(contacts_doc, "default_contact")
    if default is not None and _text(default) not in contact_ids:
        problems.append(Problem(where, default.start_mark.line + 1, (
            f"default_contact »{_text(default)}« er ikke en kontakt i filen")))
    _check_english_terms(root, problems)
    return sorted(problems, key=lambda p: (p.path, p.line))


def _check_english_terms(root: Path, problems: List[Problem]) -> None:
    path = root / "data" / "knowledge" / "english_terms.yml"
    if not path.exists():
        return
    terms = _get(_compose(path, root, problems), "terms")
    where = _relative(path, root)
    if not isinstance(terms, yaml.MappingNode):
        problems.append(Problem(where, 1, "»terms« skal være en liste af engelske ord med "
                                "de danske ord efter kolon (physical activity: fysisk aktivitet)"))
        return
    for key, value in terms.value:
        if not _text(key).strip() or not isinstance(value, yaml.ScalarNode) \
                or not _text(value).strip():
            problems.append(Problem(where, key.start_mark.line + 1, (
                f"»{_text(key)}« skal have danske ord efter kolon")))
