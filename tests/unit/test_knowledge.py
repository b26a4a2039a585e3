"""The knowledge files load, hold the fixed ids, and bad edits are named clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import (
    REQUIRED_CONTACT_IDS,
    REQUIRED_SECTION_IDS,
    KnowledgeError,
    load_from,
)
from tests.conftest import KNOWLEDGE_DIR


def test_every_design_section_and_contact_is_present(knowledge):
    assert set(knowledge.sections) == REQUIRED_SECTION_IDS
    assert set(knowledge.contacts) >= REQUIRED_CONTACT_IDS


def test_centre_chief_details_come_from_the_policy_contact_box(knowledge):
    chief = knowledge.contacts["centerchef"]
    assert chief.name == "Bo Ulrich Bertelsen"
    assert chief.phone == "20674214"
    assert chief.email == "cbfbo@herning.dk"


def test_each_section_has_a_short_answer_and_a_reachable_contact(knowledge):
    for section in knowledge.sections.values():
        assert 80 < len(section.answer) <= 500, section.id
        assert section.intent == "faq_" + section.id.replace("-", "_")
        assert knowledge.contact_for_section(section.id).phone


def test_answers_invent_no_web_addresses_or_phone_numbers(knowledge):
    for section in knowledge.sections.values():
        assert "http" not in section.answer and "www" not in section.answer
        assert not any(ch.isdigit() for ch in section.answer.replace("2006", "")
                       .replace("2008", "").replace("2009", "")), section.id
        assert section.document.url is None  # staff fill in addresses; none invented


def test_follow_up_without_topic_routes_to_default_contact(knowledge):
    assert knowledge.contact_for_section(None).id == "centerchef"
    assert knowledge.contact_for_section("no-such-section").id == "centerchef"


@pytest.fixture
def editable(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_new_contact_and_rerouting_need_no_code(editable):
    def add_contact_and_reroute(data):
        data["contacts"][0]["topics"].remove("sundhedspleje")
        data["contacts"].append({"id": "sundhedsplejen", "name": "Sundhedsplejen",
                                 "role": "Sundhedspleje", "phone": "12345678", "email": None,
                                 "topics": ["sundhedspleje"],
                                 "opening_hours": {"mandag": "08:00-15:00"}})

    _edit(editable / "contacts.yml", add_contact_and_reroute)
    knowledge = load_from(editable)
    assert knowledge.contact_for_section("sundhedspleje").id == "sundhedsplejen"
    assert knowledge.contact_for_section("tandpleje").id == "centerchef"


@pytest.mark.parametrize(
    ("filename", "change", "message"),
    [
        ("sections.yml", lambda d: d["sections"].pop(0), "missing sections ['maalgruppe']"),
        ("sections.yml", lambda d: d["sections"][0].update(contact="centerchef"),
         "list the section under the contact's 'topics' in contacts.yml"),
        ("contacts.yml", lambda d: d["contacts"][1].update(topics=["maalgruppe"]),
         "topic 'maalgruppe' is routed to both 'centerchef' and 'alarm-112'"),
        ("contacts.yml", lambda d: d["contacts"][0]["topics"].append("ukendt-emne"),
         "lists unknown topic 'ukendt-emne'"),
        ("contacts.yml", lambda d: d["contacts"][0].update(opening_hours={"mandag": "8-15"}),
         "contact 'centerchef': mandag: '8-15' is not a time range like 08:00-15:00"),
        ("contacts.yml", lambda d: d["contacts"][0].update(opening_hours={"monday": "08:00-15:00"}),
         "unknown weekday 'monday'"),
        ("sections.yml", lambda d: d["sections"][1].update(intent="faq_maalgruppe"),
         "intent 'faq_maalgruppe' is used twice"),
        ("sections.yml", lambda d: d["sections"][0].update(answer="  "),
         "'answer' must be a non-empty text"),
        ("contacts.yml", lambda d: d["contacts"].pop(0), "missing contacts ['centerchef']"),
    ],
)
def test_broken_edits_are_refused_with_the_file_and_the_problem(editable, filename, change,
                                                                  message):
    _edit(editable / filename, change)
    with pytest.raises(KnowledgeError) as error:
        load_from(editable)
    assert message in str(error.value)
    assert filename in str(error.value)


def test_malformed_yaml_is_refused(editable):
    (editable / "contacts.yml").write_text("contacts: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_from(editable)


def test_default_directory_routes_every_section_and_gives_no_hours(knowledge):
    # The seed texts give no opening hours: the bot must not claim any.
    assert all(c.opening_hours is None for c in knowledge.contacts.values())
    assert {s.contact_id for s in knowledge.sections.values()} == {"centerchef"}


def test_running_bot_sees_edited_contacts_without_restart(editable, monkeypatch):
    from bot.knowledge import load_knowledge

    monkeypatch.setenv("KNOWLEDGE_DIR", str(editable))
    assert load_knowledge().contacts["centerchef"].phone == "20674214"

    def new_phone(data):
        data["contacts"][0]["phone"] = "11223344"

    _edit(editable / "contacts.yml", new_phone)
    assert load_knowledge().contacts["centerchef"].phone == "11223344"

    # A broken edit is logged and the last good directory stays in use.
    (editable / "contacts.yml").write_text("contacts: [unclosed", encoding="utf-8")
    assert load_knowledge().contacts["centerchef"].phone == "11223344"
