"""The personal-data detector, measured on labelled sets of Danish sentences.

Both sets were written for these tests, with invented CPR numbers, phone numbers and
e-mails: tests/data/privacy_sentences.yml (261 sentences; the detector was tuned while
looking at it) and tests/data/privacy_holdout.yml (written afterwards by someone who saw
neither the detector nor the first set). CPR recall must be 100% on both; precision and
the other types' figures are printed (`pytest -s`) and held to floors so that a change
cannot quietly make them worse.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Set, Tuple

import pytest
import yaml

from bot.privacy import (
    CPR,
    EMAIL,
    NAME,
    PHONE,
    contains_cpr,
    find_personal_data,
    notice_types,
    redact,
    without_personal_data,
)
from tests.conftest import TEST_DATA


def _load(name: str) -> List[Dict]:
    return yaml.safe_load((TEST_DATA / name).read_text(encoding="utf-8"))["sentences"]


SENTENCES = _load("privacy_sentences.yml")
HOLDOUT = _load("privacy_holdout.yml")
Item = Tuple[int, str, str]  # sentence index, type, value


def _expected(sentences: List[Dict]) -> Set[Item]:
    return {(i, e["type"], e["value"]) for i, s in enumerate(sentences) for e in s["expect"]}


def _found(sentences: List[Dict]) -> Set[Item]:
    return {(i, f.type, f.value) for i, s in enumerate(sentences)
            for f in find_personal_data(s["text"], names=True)}


def _scores(sentences: List[Dict]) -> Dict[str, Tuple[float, float, int]]:
    expected, found = _expected(sentences), _found(sentences)
    scores = {}
    for kind in (CPR, PHONE, EMAIL, NAME):
        want = {x for x in expected if x[1] == kind}
        got = {x for x in found if x[1] == kind}
        hits = len(want & got)
        recall = hits / len(want) if want else 1.0
        precision = hits / len(got) if got else 1.0
        scores[kind] = (recall, precision, len(want))
    return scores


def test_the_sets_are_big_enough():
    with_data = [s for s in SENTENCES + HOLDOUT if s["expect"]]
    assert len(SENTENCES + HOLDOUT) >= 200 and len(with_data) >= 100
    counts = Counter(e["type"] for s in SENTENCES + HOLDOUT for e in s["expect"])
    assert counts[CPR] >= 60
    texts = [s["text"] for s in SENTENCES + HOLDOUT]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("sentences", [SENTENCES, HOLDOUT], ids=["tuned-on", "held-out"])
def test_cpr_recall_is_complete_and_precision_is_reported(sentences):
    scores = _scores(sentences)
    for kind, (recall, precision, n) in scores.items():
        print(f"{kind:8} recall {recall:6.1%}  precision {precision:6.1%}  ({n} expected)")
    recall, precision, _ = scores[CPR]
    assert recall == 1.0
    assert precision >= 0.95


def test_other_types_stay_above_their_floors():
    scores = _scores(SENTENCES)
    assert scores[PHONE][0] >= 0.95 and scores[PHONE][1] >= 0.95
    assert scores[EMAIL][0] == 1.0 and scores[EMAIL][1] == 1.0
    assert scores[NAME][1] >= 0.9  # names are a separate, configurable level


@pytest.mark.parametrize("text", ["3213451234", "310299-1234", "0000001234", "290217-1234"])
def test_ten_digits_without_a_real_date_are_kept_as_written(text):
    assert not contains_cpr(text)
    assert redact(f"sagsnummer {text} tak") == f"sagsnummer {text} tak"


def test_redaction_uses_typed_placeholders_and_keeps_the_rest():
    text = "Min søn Oliver (120315-1234) kan nås på 22 33 44 55 eller far@eksempel.dk."
    assert redact(text) == "Min søn Oliver ([CPR]) kan nås på [TELEFON] eller [EMAIL]."
    assert redact(text, names=True).startswith("Min søn [NAVN] ([CPR])")


def test_every_sentence_without_personal_data_is_left_alone():
    untouched: List[str] = [s["text"] for s in SENTENCES if not s["expect"]]
    changed = [t for t in untouched if redact(t, names=True) != t]
    assert changed == []


def test_notice_names_what_was_not_stored_outside_the_form():
    text = "cpr 010203-1234, ring 22 33 44 55 eller mor@example.dk, min søn Oliver"
    assert notice_types(text, "faq_tidlig_indsats", False) == [CPR, PHONE, EMAIL]
    assert notice_types("hvad er tidlig indsats?", "faq_tidlig_indsats", False) == []


def test_no_notice_before_the_112_answer():
    assert notice_types("min søn 010203-1234 er blevet slået", "acute_danger", False) == []


def test_in_the_callback_form_only_a_stray_cpr_number_is_mentioned():
    assert notice_types("22 33 44 55", "inform", True, "callback_reach") == []
    assert notice_types("Mette 010203-1234", "inform", True, "callback_name") == [CPR]
    # The description step has its own reply that refuses the CPR number.
    assert notice_types("010203-1234", "inform", True, "callback_description") == []


def test_the_classifier_sees_the_message_without_numbers_and_addresses():
    assert without_personal_data("Min søns CPR er 11 12 87-4321. Hvad er tidlig indsats?") \
        == "Min søns CPR er . Hvad er tidlig indsats?"
    assert without_personal_data("ring 22 33 44 55 / mor@example.dk") == "ring /"
    assert without_personal_data("min søn Oliver") == "min søn Oliver"  # words stay
    assert without_personal_data("sag 3213451234") == "sag 3213451234"


@pytest.mark.parametrize("text", ["Min datters navn er Freja Sørensen, hun er 9",
                                  "min søn hedder Magnus og går i 2. klasse",
                                  "vores dreng der hedder William er ked af det"])
def test_a_childs_name_given_with_navn_er_or_hedder_is_redacted(text):
    redacted = redact(text, names=True)
    assert "[NAVN]" in redacted
    assert not any(name in redacted for name in ("Freja", "Magnus", "William")), redacted
