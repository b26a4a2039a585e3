"""One normalisation for every check: the obfuscations people use read as plain words."""

from __future__ import annotations

import pytest

from bot.danger_file import load_patterns
from bot.normalise import normalise, printable, variants
from bot.text import fold
from tests.conftest import KNOWLEDGE_DIR


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("ｓｌåｒ", "slår"),                      # fullwidth letters
        ("min far s.l.å.r mig", "min far slår mig"),  # dots between letters
        ("s e l v m o r d", "selvmord"),          # spaces between letters
        ("s-l-å-r", "slår"),
        ("f0rsvundet", "forsvundet"),             # leetspeak digits
        ("selvm0rd", "selvmord"),
        ("sl\u200bår", "slår"),                   # zero-width space
        ("sl\u2060år", "slår"),                   # word joiner
        ("slåååår", "slår"),                      # repeated letters
        ("drаеber", "draeber"),                   # Cyrillic а and е inside a Latin word
        ("HAN SLÅR MIG", "han slår mig"),
        ("don’t", "don't"),
        ("s3lf h@rming", "self harming"),
        ("a g.u.n", "a gun"),             # one letter before a dotted word stays apart
    ],
)
def test_obfuscations_read_as_the_plain_word(written, plain):
    assert normalise(written) == plain


@pytest.mark.parametrize(
    "text",
    ["min søn på 5år", "jeg går i 3. klasse", "tlf 20 30 40 50", "допоможіть"],
)
def test_ordinary_text_is_left_as_written(text):
    assert normalise(text) == text.lower()


def test_a_one_is_read_both_as_i_and_as_l():
    assert variants("se1vmord") == ["seivmord", "selvmord"]


def test_printable_keeps_letters_and_drops_what_breaks_later_steps():
    assert printable("min søn \ud800 vil\x00 tage sit liv 😢\n") == \
        "min søn \ufffd vil tage sit liv 😢\n"


def test_fold_uses_the_normalisation():
    assert fold("S.L.Å.R") == fold("slaar") == fold("ｓｌåｒ") == "slar"


@pytest.mark.parametrize(
    "text",
    ["min far s.l.å.r mig", "min far ｓｌåｒ mig", "vores datter er f0rsvundet",
     "han snakker om s e l v m o r d", "han har talt om selvm0rd",
     "min mor sl\u200bår mig", "min stedfar SLÅÅÅR mig"],
)
def test_the_danger_check_reads_the_normalised_text(text):
    assert load_patterns(KNOWLEDGE_DIR / "danger.yml").match(text) is not None
