"""`validate` catches broken edits and names the file and line (bot/validate.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import cli
from bot.settings import PROJECT_ROOT
from bot.validate import check, nlu_examples


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the files staff edit."""
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    return tmp_path


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_the_project_as_it_is_passes():
    assert check(PROJECT_ROOT) == []


def test_an_example_under_two_intents_is_named_with_file_and_line(project):
    existing = next(example for intent, example, _, _ in nlu_examples(
        [project / "data" / "nlu" / "tidlig_indsats.yml"], project, [])
        if intent == "faq_tidlig_indsats")
    nlu = project / "data" / "nlu" / "tandpleje.yml"
    with nlu.open("a", encoding="utf-8") as file:
        file.write("\n- intent: faq_sundhedspleje\n  examples: |\n"
                   "    - noget helt nyt om sundhedsplejen\n"
                   f"    - {existing}\n")
    [problem] = check(project)
    # Both places are named, whichever file comes first.
    added = f"data/nlu/tandpleje.yml:{line_of(nlu, f'- {existing}')}"
    assert added in str(problem) and "data/nlu/tidlig_indsats.yml:" in str(problem)
    assert "faq_sundhedspleje" in problem.message and "faq_tidlig_indsats" in problem.message


def test_an_intent_without_a_section_to_answer_from_is_caught(project):
    domain = project / "domain.yml"
    text = domain.read_text(encoding="utf-8")
    domain.write_text(text.replace("  - faq_tandpleje\n", "  - faq_tandpleje\n  - faq_ferie\n"),
                      encoding="utf-8")
    [problem] = check(project)
    assert (problem.path, problem.line) == ("domain.yml", line_of(domain, "- faq_ferie"))
    assert "faq_ferie har intet afsnit" in problem.message


def test_a_section_with_an_unknown_document_or_no_answer_is_caught(project):
    sections = project / "data" / "knowledge" / "sections.yml"
    text = sections.read_text(encoding="utf-8")
    sections.write_text(text.replace("    document: born-og-forebyggelse\n",
                                     "    document: ukendt-dokument\n", 1), encoding="utf-8")
    problems = check(project)
    assert problems and all(p.path == "data/knowledge/sections.yml" for p in problems)
    assert "ukendt dokument »ukendt-dokument«" in problems[0].message


def test_a_contact_that_does_not_exist_is_caught(project):
    contacts = project / "data" / "knowledge" / "contacts.yml"
    text = contacts.read_text(encoding="utf-8")
    contacts.write_text(text.replace("default_contact: centerchef",
                                     "default_contact: familiehuset"), encoding="utf-8")
    [problem] = check(project)
    assert (problem.path, problem.line) == ("data/knowledge/contacts.yml",
                                            line_of(contacts, "default_contact: familiehuset"))
    assert "familiehuset" in problem.message


def test_an_answer_for_a_section_parents_cannot_reach_is_caught(project):
    sections = project / "data" / "knowledge" / "sections.yml"
    with sections.open("a", encoding="utf-8") as file:
        file.write("  - id: ferie\n    intent: faq_ferie\n    title: \"Ferie\"\n"
                   "    document: born-og-forebyggelse\n    heading: \"Ferie\"\n"
                   "    answer: >-\n      Et svar uden hensigt og uden eksempler.\n")
    problems = check(project)
    line = line_of(sections, "- id: ferie")
    assert [(p.path, p.line) for p in problems] == [("data/knowledge/sections.yml", line)] * 2
    assert "faq_ferie, som ikke står i domain.yml" in problems[0].message
    assert "har 0 eksempler" in problems[1].message


def test_a_contact_routed_to_a_section_that_does_not_exist_is_caught(project):
    contacts = project / "data" / "knowledge" / "contacts.yml"
    text = contacts.read_text(encoding="utf-8")
    contacts.write_text(text.replace("      - tandpleje\n", "      - tandlaege\n", 1),
                        encoding="utf-8")
    [problem] = check(project)
    assert (problem.path, problem.line) == ("data/knowledge/contacts.yml",
                                            line_of(contacts, "- tandlaege"))
    assert "»tandlaege«, som ikke er et afsnit" in problem.message


def test_bad_yaml_is_caught_with_its_line(project):
    stories = project / "data" / "stories" / "knowledge.yml"
    lines = stories.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "  - rule: [ikke lukket")
    stories.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = check(project)
    assert [(p.path, p.line) for p in problems] == [("data/stories/knowledge.yml", 7)]
    assert problems[0].message.startswith("ugyldig YAML")


def test_the_command_says_what_to_fix_and_fails(project, capsys):
    (project / "data" / "nlu" / "tandpleje.yml").write_text("nlu:\n  - intent: [\n",
                                                             encoding="utf-8")
    assert cli.main(["validate", "--root", str(project), "--uden-rasa"]) == 1
    out = capsys.readouterr().out
    assert "data/nlu/tandpleje.yml:" in out and "1 fejl" in out


def test_an_english_term_without_danish_words_is_caught(project):
    terms = project / "data" / "knowledge" / "english_terms.yml"
    terms.write_text(terms.read_text(encoding="utf-8") + "  bullying:\n", encoding="utf-8")
    [problem] = check(project)
    assert problem.line == line_of(terms, "bullying:") and "danske ord" in problem.message
