"""The staff review report from a seeded conversation store, opened in headless Chromium,
and `learn`, which turns a reviewed message into a training example."""

from __future__ import annotations

import asyncio
import csv
import os
import shutil
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import cli
from bot.review import feedback_by_section, read_feedback, read_messages, write_report
from bot.settings import PROJECT_ROOT
from bot.tracker_store import RedactingTrackerStore

DAY = 24 * 60 * 60
START = 1_795_000_000.0
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# (day, parent's message, intent, the bot's action)
SEED: List[Tuple[int, str, str, str]] = [
    (0, "Hvad er tidlig indsats?", "faq_tidlig_indsats", "action_answer_section"),
    (0, "Hvad koster en plads i SFO?", "nlu_fallback", "action_clarify"),
    (1, "hvad koster sfo pladsen", "nlu_fallback", "action_clarify"),
    (1, "Må jeg tage min søn Oliver med til mødet?", "out_of_scope", "action_out_of_scope"),
    (1, "Jeg vil tale med en person", "request_person", "action_contact_person"),
    (2, "Hvad er tandpleje?", "faq_tandpleje", "action_answer_section"),
    (2, "Hvad er tidlig indsats for noget", "faq_tidlig_indsats", "action_answer_section"),
    (2, "Min søn bløder og trækker ikke vejret", "acute_danger", "action_acute_danger"),
]
# conversation number -> the parent's thumbs in the web chat, in order (the last counts)
RATINGS = {0: [("tidlig-indsats", "op"), ("tidlig-indsats", "ned")],
           5: [("tandpleje", "op")], 6: [("tidlig-indsats", "op")]}


@pytest.fixture
def store_url(tmp_path) -> str:
    db = tmp_path / "conversations.db"
    store = RedactingTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    for number, (day, text, intent, action) in enumerate(SEED):
        at = START + day * DAY + number
        tracker = DialogueStateTracker.from_events(f"samtale-{number}", [
            ActionExecuted("action_listen", timestamp=at),
            UserUttered(text, {"name": intent, "confidence": 0.4}, timestamp=at + 1),
            ActionExecuted(action, timestamp=at + 2),
            BotUttered("…", timestamp=at + 3),
            ActionExecuted("action_listen", timestamp=at + 4),
            *[SlotSet("answer_feedback", {"section": section, "rating": rating},
                      timestamp=at + 5 + n)
              for n, (section, rating) in enumerate(RATINGS.get(number, []))],
        ])
        asyncio.run(store.save(tracker))
    return f"sqlite:///{db}"


def test_review_lists_what_the_bot_could_not_answer_grouped_and_redacted(store_url, tmp_path,
                                                                          knowledge):
    messages = read_messages(store_url)
    assert len(messages) == len(SEED)
    titles = {s.intent: s.title for s in knowledge.sections.values()}
    csv_path, html_path = write_report(messages, tmp_path / "rapport", titles)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    # The two SFO questions are one group of two; the person and out-of-scope cases are
    # there; answered questions and 112 are not.
    assert rows[0]["antal"] == "2" and "SFO" in rows[0]["eksempel"]
    assert rows[0]["hvad skete der"] == "usikker"
    kinds = {row["hvad skete der"] for row in rows}
    assert kinds == {"usikker", "uden for emnet", "henvist til en person"}
    assert all("tidlig indsats" not in row["eksempel"] for row in rows)
    # The store held no name: the report cannot either.
    assert any("[NAVN]" in row["eksempel"] for row in rows)
    assert "Oliver" not in csv_path.read_text(encoding="utf-8")
    page = html_path.read_text(encoding="utf-8")
    assert "Oliver" not in page and "Gennemgang af chatbottens samtaler" in page


def test_feedback_counts_the_latest_rating_per_conversation_and_section(store_url):
    feedback = read_feedback(store_url)
    assert len(feedback) == 3  # conversation 0 changed its mind: one rating, "ned"
    assert feedback_by_section(feedback) == [("tidlig-indsats", 1, 1), ("tandpleje", 1, 0)]


def test_the_report_renders_with_its_tables_and_charts(store_url, tmp_path, knowledge):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: `make setup` installs it.")
    from playwright.sync_api import sync_playwright

    titles = {s.intent: s.title for s in knowledge.sections.values()}
    by_id = {s.id: s.title for s in knowledge.sections.values()}
    _, html_path = write_report(read_messages(store_url), tmp_path / "rapport", titles,
                                read_feedback(store_url), by_id)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(html_path.as_uri())
        assert page.locator("#ubesvarede tbody tr").count() == 3
        assert page.locator("#noegletal tbody tr").count() == 4
        rated = page.locator("#tilbagemeldinger tbody tr")
        assert rated.count() == 2
        assert rated.nth(0).locator("td").all_inner_texts() == [
            by_id["tidlig-indsats"], "1", "1", "50 %"]
        images = page.locator("figure img")
        assert images.count() == 3
        for index in range(3):
            assert images.nth(index).evaluate("img => img.complete && img.naturalWidth > 300")
        page.screenshot(path=str(tmp_path / "rapport.png"), full_page=True)
        browser.close()
    assert (tmp_path / "rapport.png").stat().st_size > 10_000


def test_review_says_so_when_there_is_no_store_or_it_cannot_be_read(tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "findes-ikke.db"))
    assert cli.main(["review", "--out", str(tmp_path / "r")]) == 1
    assert "ingen samtaler endnu" in capsys.readouterr().out
    assert cli.main(["review", "--out", str(tmp_path / "r"),
                     "--store", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    assert "Kunne ikke læse samtalelageret" in capsys.readouterr().out
    assert not (tmp_path / "r").exists()


def test_learn_adds_a_clean_example_and_refuses_personal_data(tmp_path, capsys):
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    root = ["--root", str(tmp_path)]
    assert cli.main(["learn", "hvad koster en plads i sfo", "--afsnit", "tandpleje", *root]) == 0
    assert "- hvad koster en plads i sfo" in (tmp_path / "data" / "nlu" /
                                              "tandpleje.yml").read_text(encoding="utf-8")
    assert "Valideret" in capsys.readouterr().out
    for text in ("min søn Oliver har ondt i en tand", "ring på 22 33 44 55",
                 "mit barns cpr er [CPR]"):
        assert cli.main(["learn", text, "--afsnit", "tandpleje", *root]) == 2
    assert cli.main(["learn", "noget", "--afsnit", "findes-ikke", *root]) == 2
