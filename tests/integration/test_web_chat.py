"""The web chat in a real headless Chromium against the real running bot.

Debian's /usr/bin/chromium (or CHROMIUM) driven by Playwright; the demo page is served
by `python -m bot.web` on its own origin, and the widget reaches the Rasa server (with
CORS for that origin only) through a TCP relay that one test stops to take the server
away. axe-core checks the page for WCAG violations.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration.conftest import Bot

pytestmark = pytest.mark.live

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: `make setup` installs Debian's chromium "
                    "(apt-get install chromium), or set CHROMIUM.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, bot: Bot) -> Iterator[Page]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))  # type: ignore
    page.goto(bot.web_url)
    yield page
    context.close()


def open_by_keyboard(page: Page) -> None:
    """Tab to the chat's launcher and press Enter, as a keyboard user does."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hk-chat__launcher')"):
            break
    else:
        pytest.fail("the chat's launcher cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#hk-chat-input")).to_be_focused()
    # Focus is visible: a solid outline and a contrasting ring.
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, s.boxShadow]; })()")
    assert style[0] == "solid" and style[1] != "none", style


def ask(page: Page, text: str) -> None:
    before = page.locator(".hk-msg--bot").count()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page.locator(".hk-msg--bot").nth(before)).to_be_visible()
    expect(page.locator(".hk-chat__typing")).to_be_hidden()


def bot_texts(page: Page) -> List[str]:
    return page.locator(".hk-msg--bot .hk-msg__text").all_inner_texts()


def test_question_by_keyboard_gets_an_answer_with_its_source_and_a_contact_card(page, bot):
    open_by_keyboard(page)
    ask(page, "Hvad er tidlig indsats?")
    source = page.locator(".hk-msg__source").last
    expect(source).to_contain_text("Kilde: Tidlig indsats")
    expect(source).to_contain_text("Herning Kommunes politik for sårbare børn og unge")
    # The answer is in the polite live region that screen readers announce.
    log = page.locator(".hk-chat__log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    expect(log).to_contain_text("Herning Kommune lægger vægt på at hjælpe tidligt")

    ask(page, "Hvem kan jeg ringe til om det?")
    card = page.locator(".hk-card").last
    expect(card).to_contain_text("Bo Ulrich Bertelsen")
    expect(card.locator("a[href^='tel:']")).to_have_attribute("href", "tel:+4520674214")
    expect(card.locator("a[href^='mailto:']")).to_have_attribute("href",
                                                                  "mailto:cbfbo@herning.dk")
    expect(card.locator("a[href^='tel:']")).to_have_text("Ring 20 67 42 14")

    # Nothing but the page's own server and the bot; no cookies.
    allowed = {urlsplit(bot.web_url).netloc, f"127.0.0.1:{bot.proxy.port}"}
    assert {urlsplit(url).netloc for url in page.requests} <= allowed, page.requests
    assert page.context.cookies() == []


def test_a_parent_rates_an_answer_and_the_review_report_counts_it(page, bot, tmp_path):
    from bot.review import feedback_by_section, read_feedback

    open_by_keyboard(page)
    ask(page, "Hvad tilbyder sundhedsplejen?")
    rate = page.locator(".hk-msg__feedback").last
    expect(rate).to_contain_text("Hjalp svaret?")
    rate.get_by_role("button", name="Nej, svaret hjalp ikke").click()
    expect(rate).to_contain_text("Tak.")
    expect(rate.get_by_role("button")).to_have_count(0)
    conversation_id = page.evaluate("JSON.parse(sessionStorage['herning-chat:v1']).id")
    mine = [f for f in read_feedback(f"sqlite:///{bot.tracker_db}")
            if f.conversation == conversation_id]
    assert [(f.section, f.rating) for f in mine] == [("sundhedspleje", "ned")]
    assert ("sundhedspleje", 0, 1) in feedback_by_section(mine)
    # After a reload the thanks stay; the buttons do not come back.
    page.reload()
    expect(page.locator(".hk-msg__feedback").last).to_contain_text("Tak.")
    expect(page.locator(".hk-chat__rate")).to_have_count(0)


def test_reload_keeps_the_conversation_within_the_tab_only(page, bot):
    open_by_keyboard(page)
    ask(page, "Hvad er sundhedspleje?")
    shown = bot_texts(page)
    page.reload()
    expect(page.locator(".hk-chat__panel")).to_be_visible()
    assert bot_texts(page) == shown
    conversation_id = page.evaluate("JSON.parse(sessionStorage['herning-chat:v1']).id")
    assert re.fullmatch(r"[0-9a-f-]{36}", conversation_id)
    other_tab = page.context.new_page()
    other_tab.goto(bot.web_url)
    other = other_tab.evaluate("JSON.parse(sessionStorage['herning-chat:v1'])")
    assert other["id"] != conversation_id and other["items"] == []
    assert other_tab.locator(".hk-msg").count() == 0


def test_slet_samtale_clears_it_here_and_on_the_server(page, bot):
    open_by_keyboard(page)
    ask(page, "Hvad er inklusion?")
    old_id = page.evaluate("JSON.parse(sessionStorage['herning-chat:v1']).id")
    with sqlite3.connect(bot.tracker_db) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?",
                          (old_id,)).fetchone()[0] > 0
    page.get_by_role("button", name="Slet samtale").click()
    expect(page.get_by_role("button", name="Fortryd")).to_be_focused()
    page.get_by_role("button", name="Ja, slet samtalen").click()
    expect(page.locator(".hk-chat__status")).to_have_text("Samtalen er slettet.")
    assert page.locator(".hk-msg").count() == 0
    with sqlite3.connect(bot.tracker_db) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?",
                          (old_id,)).fetchone()[0] == 0
    assert page.evaluate("JSON.parse(sessionStorage['herning-chat:v1']).id") != old_id
    page.reload()
    assert page.locator(".hk-msg").count() == 0


def test_server_down_gives_a_clear_message_and_the_chat_recovers(page, bot):
    open_by_keyboard(page)
    bot.proxy.stop()
    try:
        page.keyboard.type("Hvad er tandpleje?")
        page.keyboard.press("Enter")
        error = page.locator(".hk-msg--error")
        expect(error).to_contain_text("Beskeden blev ikke sendt")
        expect(page.locator("#hk-chat-input")).to_be_enabled()
    finally:
        bot.proxy.start()
    page.get_by_role("button", name="Prøv igen").click()
    expect(page.locator(".hk-msg--bot").first).to_contain_text("tandpleje")
    assert page.locator(".hk-msg--error").count() == 0
    assert page.locator(".hk-msg--user").count() == 1  # the message is not shown twice


def test_a_reply_with_markup_is_shown_as_text(page, bot):
    sections = bot.knowledge_dir / "sections.yml"
    original = sections.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    hostile = "<script>window.__hacked = 1</script><img src=x onerror=\"window.__hacked=2\">"
    for section in data["sections"]:
        if section["id"] == "tandpleje":
            section["answer"] = hostile + " " + section["answer"]
    try:
        sections.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
        time.sleep(1.1)  # the reload is by modification time
        open_by_keyboard(page)
        ask(page, "Hvad gør kommunen med tandpleje?")
        expect(page.locator(".hk-msg--bot .hk-msg__text").first).to_contain_text("<script>")
        assert page.evaluate("window.__hacked") is None
        assert page.locator(".hk-chat__log script, .hk-chat__log img").count() == 0
    finally:
        sections.write_text(original, encoding="utf-8")


def _conversation_with_everything(page: Page) -> None:
    open_by_keyboard(page)
    ask(page, "Hvad er tidlig indsats?")
    ask(page, "Hvem kan jeg ringe til?")
    ask(page, "xqzt blorf")  # the clarifying question, with its buttons


def _serious(page: Page) -> List[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violations_with_a_conversation_open(page):
    _conversation_with_everything(page)
    expect(page.locator(".hk-msg__choices button").first).to_be_visible()
    assert _serious(page) == []


def test_phone_screen_zoom_reduced_motion_and_long_words(browser, bot):
    # 360 px wide (a phone), and 640 px wide (a 1280 px screen at 200% zoom).
    for width, height in ((360, 740), (640, 400)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      reduced_motion="reduce", locale="da-DK")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(bot.web_url)
        open_by_keyboard(page)
        ask(page, "Hvad er tidlig indsats?")
        long_word = "Børneværnsforanstaltningskoordineringsudvalgsformandsposten" * 4
        page.keyboard.type(long_word)
        page.keyboard.press("Enter")
        expect(page.locator(".hk-msg--user").last).to_be_visible()
        box = page.locator(".hk-chat__panel").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        overflow = page.evaluate(
            "[...document.querySelectorAll('.hk-msg')].some(m => m.scrollWidth > m.clientWidth)")
        assert overflow is False
        expect(page.locator(".hk-chat__send")).to_be_in_viewport()
        assert page.evaluate("getComputedStyle(document.querySelector('.hk-chat__log'))"
                             ".scrollBehavior") == "auto"
        assert _serious(page) == []
        context.close()


def test_a_quick_reply_is_sent_as_the_payload_the_bot_offered(page):
    open_by_keyboard(page)
    ask(page, "xqzt blorf")
    before = page.locator(".hk-msg--bot").count()
    page.get_by_role("button", name="Tal med en medarbejder").last.click()
    expect(page.locator(".hk-msg--user").last).to_have_text(
        re.compile("Tal med en medarbejder$"))
    expect(page.locator(".hk-msg--bot").nth(before)).to_be_visible()
    expect(page.locator(".hk-card").last).to_contain_text("Bo Ulrich Bertelsen")
    assert page.locator(".hk-msg--error").count() == 0


# Resolves once the log has not scrolled for 15 animation frames: a smooth scroll (no
# reduced motion) has ended, so what is measured next is where the log stays.
_SCROLL_SETTLED = """log => new Promise(resolve => {
  let last = log.scrollTop, still = 0;
  const tick = () => {
    if (log.scrollTop === last) { still += 1; } else { still = 0; last = log.scrollTop; }
    if (still >= 15) { resolve(last); } else { requestAnimationFrame(tick); }
  };
  requestAnimationFrame(tick);
})"""


def _fully_inside(inner: dict, outer: dict) -> bool:
    return (inner["y"] >= outer["y"] - 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


def test_a_reply_that_starts_with_112_stays_at_its_112_message_on_a_phone(browser, bot):
    # A 360 px phone, with smooth scrolling allowed (no reduced motion): the hard case.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(bot.web_url)
        open_by_keyboard(page)
        log = page.locator(".hk-chat__log")
        # What the polite log is given, in order, from here on.
        log.evaluate("log => { window.__added = []; new MutationObserver(records => "
                     "records.forEach(r => r.addedNodes.forEach(n => window.__added.push("
                     "n.textContent)))).observe(log, {childList: true}); }")
        ask(page, "min far slår mig lige nu og jeg er bange")
        reply = page.locator(".hk-msg--user ~ .hk-msg")  # the one question asked so far
        first = reply.first
        assert first.locator(".hk-msg__text").inner_text().startswith("Ring 112 nu"), \
            bot_texts(page)
        # The reply has rendered: its contact cards are there, below the 112 message.
        cards = page.locator(".hk-msg--user ~ .hk-msg .hk-card")
        expect(cards.first).to_be_attached()
        expect(first).to_have_class(re.compile(r"\bhk-msg--urgent\b"))
        assert page.locator(".hk-msg--urgent").count() == 1

        log.evaluate(_SCROLL_SETTLED)
        log_box, first_box = log.bounding_box(), first.bounding_box()
        assert log_box and first_box
        assert _fully_inside(first_box, log_box), (first_box, log_box)
        # It is the reply's first message, and the log did not go on to the last card:
        # the reply is taller than the log, so this is the scrolling the widget did.
        assert first.evaluate("m => m.previousElementSibling.classList.contains('hk-msg--user')")
        last_card = cards.last.bounding_box()
        assert last_card, "no contact card"
        assert last_card["y"] + last_card["height"] > log_box["y"] + log_box["height"]
        assert log.evaluate("l => l.scrollTop") > 0

        # The polite log is given the 112 message first (after the parent's own message),
        # and nothing is made assertive.
        added = page.evaluate("window.__added")
        assert added[0].startswith("Du skrev:"), added
        assert added[1].startswith("Svar: Ring 112 nu"), added
        assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
        assert page.locator(".hk-chat [aria-live='assertive'], .hk-chat [role='alert']"
                            ).count() == 0
        assert _serious(page) == []

        # An ordinary question afterwards scrolls to the end as before.
        ask(page, "Hvad er tidlig indsats?")
        log.evaluate(_SCROLL_SETTLED)
        log_box = log.bounding_box()
        # The reply's last element (its feedback, source or card) is in full view.
        last_box = page.locator(".hk-chat__log > .hk-msg:last-child > :last-child"
                                ).bounding_box()
        assert log_box and last_box
        assert _fully_inside(last_box, log_box), (last_box, log_box)
        assert log.evaluate("l => l.scrollHeight - l.clientHeight - l.scrollTop") <= 1
        assert page.locator(".hk-msg--urgent").count() == 1
    finally:
        context.close()
