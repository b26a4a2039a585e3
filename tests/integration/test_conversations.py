"""Conversations with the real Rasa server and action server over HTTP."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
from pathlib import Path

import pytest

from tests.integration.conftest import custom_ids, texts

pytestmark = pytest.mark.live


def test_policy_question_gets_answer_with_its_source(bot):
    reply = bot.conversation().say("hvordan kan min søn få hjælp tidligt, før det bliver værre?")
    assert custom_ids(reply, "source") == ["tidlig-indsats"]
    assert "tidligt" in texts(reply)[0]
    source = next(m["custom"]["source"] for m in reply if "custom" in m)
    assert source["document"] == "Herning Kommunes politik for sårbare børn og unge"
    assert source["url"] is None


def test_follow_up_who_to_call_routes_to_the_contact_of_the_topic(bot):
    chat = bot.conversation()
    first = chat.say("hvordan bliver skiftet fra vuggestue til børnehave for min datter")
    assert custom_ids(first, "source") == ["overgange"]
    follow_up = chat.say("hvem kan jeg ringe til om det?")
    assert custom_ids(follow_up, "contact") == ["centerchef"]
    assert "overgange" in texts(follow_up)[0]
    assert not custom_ids(follow_up, "source")


def test_asking_for_a_person_gives_the_centre_chief_card(bot):
    reply = bot.conversation().say("kan jeg få lov at snakke med en rigtig sagsbehandler")
    card = next(m["custom"]["contact"] for m in reply if "custom" in m)
    assert card["id"] == "centerchef"
    assert card["phone"] == "20674214" and card["email"] == "cbfbo@herning.dk"


@pytest.mark.parametrize(
    "text",
    [
        "hjælp min kæreste slår vores søn",
        "min datter har skrevet at hun vil tage sit liv",
        "han har slugt en hel masse piller",
        "vores dreng på 6 er forsvundet fra legepladsen",
        "hun er blevet slaaet og bloeder",  # no æøå
    ],
)
def test_acute_danger_first_message_says_call_112(bot, text):
    reply = bot.conversation().say(text)
    assert texts(reply)[0].startswith("Ring 112 nu")
    assert custom_ids(reply, "contact")[0] == "alarm-112"


def test_out_of_scope_cites_no_source_and_says_how_to_reach_a_person(bot):
    reply = bot.conversation().say("hvornår bliver mit skrald hentet")
    assert not custom_ids(reply, "source")
    assert "20 67 42 14" in texts(reply)[0]


def test_small_talk(bot):
    chat = bot.conversation()
    assert "chatbot" in texts(chat.say("hejsa"))[0]
    assert "ikke et menneske" in texts(chat.say("er du et rigtigt menneske?"))[0]
    assert texts(chat.say("mange tak for hjælpen"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "ikke nogen tekst"),
        ("   ", "ikke nogen tekst"),
        ("😀🙏😢", "emojis"),
        ("<script>alert('hej')</script>", "HTML"),
        ("xkcd lorem ipsum", "andre ord"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_no_source(bot, text, expected):
    reply = bot.conversation().say(text)
    assert expected in " ".join(texts(reply))
    assert not custom_ids(reply, "source")


def test_html_around_a_question_is_ignored_and_never_echoed(bot):
    reply = bot.conversation().say("<b>hvad gør kommunen for inklusion?</b><img src=x onerror=1>")
    assert custom_ids(reply, "source") == ["inklusion"]
    assert all("<" not in t for t in texts(reply))


def test_over_long_message_is_refused_quickly_and_the_bot_keeps_working(bot):
    chat = bot.conversation()
    started = time.perf_counter()
    reply = chat.say("min søn har det svært. " * 350)  # 8,050 characters, a small body
    elapsed = time.perf_counter() - started
    assert "for lang" in texts(reply)[0]
    assert elapsed < 5, f"over-long message took {elapsed:.1f} s"
    # 115,000 characters: over MAX_REQUEST_BYTES, refused by the channel with a reason.
    with pytest.raises(urllib.error.HTTPError) as refused:
        chat.say("min søn har det svært. " * 5000)
    assert refused.value.code == 413
    assert "for stor" in json.loads(refused.value.read())["error"]
    assert custom_ids(chat.say("hvad er herningmodellen"), "source") == ["herningmodellen"]


def test_danger_inside_an_over_long_message_still_gets_112(bot):
    reply = bot.conversation().say("bla bla " * 400 + " han truer med at slå hende ihjel")
    assert texts(reply)[0].startswith("Ring 112 nu")


def test_conversation_is_stored_in_the_sqlite_file(bot):
    chat = bot.conversation()
    chat.say("hvad er tandpleje for børn")
    with sqlite3.connect(bot.tracker_db) as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                           (chat.sender,)).fetchone()[0]
    assert count > 0


def _listening_addresses(port: int) -> set:
    """Local IPv4 addresses listening on `port`, read from /proc/net/tcp."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        host_hex, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
            addresses.add(".".join(str(int(host_hex[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


def test_action_server_listens_on_loopback_only(bot):
    assert _listening_addresses(bot.action_port) == {"127.0.0.1"}


def test_parent_asking_about_their_information_gets_the_privacy_note(bot):
    reply = bot.conversation().say("hvad gør I med de oplysninger jeg giver jer?")
    text = " ".join(texts(reply))
    assert "slettes automatisk" in text and "30 dage" in text and "sikker mail" in text
    assert custom_ids(reply, "source") == []
