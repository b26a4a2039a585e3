"""Input checks that run before NLU."""

from __future__ import annotations

import pytest

from bot.text import fold, inspect_input, known_words_ratio, strip_html, vocabulary


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        (None, "empty"),
        ("<script>alert('x')</script>", "markup"),
        ("<b></b>", "markup"),
        ("😀😀🙏", "no_words"),
        ("??? !!! 123", "no_words"),
        ("Hello, can you help me with my child's school?", "english"),
        ("x" * 2001, "too_long"),
        ("hvad er tidlig indsats", None),
        ("<b>hvad er tidlig indsats</b>", None),
        ("min søn er 7", None),
        ("ok", None),
        ("I har vel en politik for børn", None),  # Danish "I" is not English
    ],
)
def test_inspect_input(text, problem):
    assert inspect_input(text, 2000) == problem


def test_message_at_the_limit_is_accepted():
    assert inspect_input("ø" * 2000, 2000) is None


def test_strip_html_keeps_words_and_drops_scripts():
    assert strip_html("<p>min <b>søn</b></p><script>evil()</script>").split() == ["min", "søn"]
    assert strip_html("børn &amp; unge") == "børn & unge"


def test_fold_treats_danish_letters_and_ascii_spellings_alike():
    assert fold("Slået") == fold("slaaet") == fold("slaet")
    assert fold("BLØDER") == fold("bloeder") == fold("bloder")


def test_known_words_ratio():
    known = vocabulary(["Hvad er tidlig indsats?", "sundhedsplejersken kommer"])
    assert known_words_ratio("xkcd lorem ipsum", known) == 0.0
    assert known_words_ratio("tidlig hjælp qqq", known) == pytest.approx(1 / 3)
    assert known_words_ratio("SUNDHEDSPLEJERSKEN", known) == 1.0
    assert known_words_ratio("😀", known) is None
