"""The acute-danger patterns catch direct, indirect and misspelled phrasings."""

from __future__ import annotations

import pytest

from bot.danger_file import DangerPatternError, load_patterns
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def patterns():
    return load_patterns(KNOWLEDGE_DIR / "danger.yml")


@pytest.mark.parametrize(
    "text",
    [
        "min far slår min lillebror lige nu",
        "Hun er blevet slaaet og hun bloeder fra hovedet",
        "han bløder meget",
        "min datter siger hun vil tage sit eget liv",
        "han har snakket om selvmord",
        "hun skærer i sig selv",
        "han vil gøre skade på sig selv i aften",
        "min søn vil ikke leve mere",
        "vores datter er forsvundet",
        "min søn er ikke kommet hjem og tager ikke telefonen",
        "kæresten truer med at slå hende",
        "han har slugt en masse piller",
        "hun har taget alle pillerne",
        "hun er bevidstløs",
        "jeg tror han er blevet misbrugt",
        "der har været et seksuelt overgreb",
        "han har en kniv",
        # an urgent word with a danger word outside it
        "hjælp mig jeg er bange",
        "help me he is hurting me",
        "hun er væk og vi kan ikke finde hende",
        "han lukker hende inde og hun må ikke gå i skole",
    ],
)
def test_danger_is_caught(patterns, text):
    assert patterns.match(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "hvad er tidlig indsats",
        "min søn er kørestolsbruger, gælder politikken for ham",
        "hvem hjælper med at opdage sygdom tidligt hos børn",
        "kan min datter blive i sin klasse",
        "er truede børn omfattet af politikken",
        "hvordan bliver børn anerkendt som dem de er",
        "hvornår kommer sundhedsplejersken",
        "jeg er bekymret for min søn",
        "min søn har taget sin medicin i dag",
        # "now" is no danger word: declining a callback, a busy parent, a sleeping child
        "nej tak ikke lige nu",
        "han sover lige nu",
        "vi har det svært lige nu",
        "jeg er på arbejde lige nu, kan I ringe i morgen",
        "right now I am busy",
        # an urgent word with an everyday word, not a danger word
        "det haster lidt med at få svar om skoleskift, han skal starte inde i byen",
        "jeg har brug for hjælp hurtigt, min søn nægter at gå i skole",
        "what should I do, my son is failing school",
        "please help, I do not understand the policy",
        "det haster, hun skal leve med sin diagnose",
        "hun sidder inde på sit værelse hele dagen og spiller",
        "han er væk hos sin far hver weekend",
    ],
)
def test_ordinary_questions_are_not_flagged(patterns, text):
    assert patterns.match(text) is None


@pytest.mark.parametrize(("pattern", "reason"), [
    ("(unclosed", "not a valid regex"),
    ("slår\\W+mig", "uses"),  # folding lower-cases patterns: \W would become \w
    ("slår<until_new_evnt>", "no snippet named <until_new_evnt>"),  # a staff typo
])
def test_broken_pattern_file_is_named(tmp_path, pattern, reason):
    path = tmp_path / "danger.yml"
    path.write_text(f"categories:\n  violence:\n    patterns:\n      - '{pattern}'\n",
                    encoding="utf-8")
    with pytest.raises(DangerPatternError, match=reason):
        load_patterns(path)


@pytest.mark.parametrize(
    "text",
    ["Hilfe! Mein Sohn atmet nicht", "Hilfe, der Junge blutet",
     "Pomocy, mój mąż bije mnie i dzieci", "ساعدوني ابني ينزف كثيرا",
     "Допоможіть, мій син не дихає", "Yardım edin, oğlum nefes almıyor",
     "Ajutor! Copilul meu nu respiră", "112", "SOS"],
)
def test_an_emergency_word_in_a_language_the_bot_cannot_read_gets_112(patterns, text):
    assert patterns.match(text) is not None


@pytest.mark.parametrize(
    "text",
    ["Mein Kind hat Fieber, wann ist der Arzt da?", "Dzień dobry, mam pytanie o szkołę",
     "ما هي سياسة البلدية للأطفال", "Kan I hjælpe mig med sange til min datters fødselsdag",
     "Mit nummer ender på 112"],
)
def test_ordinary_foreign_messages_and_danish_lookalikes_are_not_danger(patterns, text):
    assert patterns.match(text) is None
