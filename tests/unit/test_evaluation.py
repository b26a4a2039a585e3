"""The evaluation command's scoring, per the design's question-set rules."""

from __future__ import annotations

import socket

import pytest

from bot import cli
from bot.evaluation import (
    GROUP_CONTACT,
    GROUP_DANGER,
    GROUP_KNOWLEDGE,
    GROUP_OUT_OF_SCOPE,
    Case,
    Outcome,
    Report,
    judge,
    load_cases,
)
from tests.conftest import TEST_DATA

SOURCE = {"custom": {"source": {"id": "inklusion"}}}
CONTACT = {"custom": {"contact": {"id": "centerchef"}}}


def test_question_file_formats_and_groups(tmp_path):
    path = tmp_path / "q.yml"
    path.write_text(
        "cases:\n"
        "- {text: a, source: inklusion}\n"
        "- {text: b, source: [inklusion, specialtilbud]}\n"
        "- {text: c, source: none}\n"
        "- {text: d, contact: centerchef}\n"
        "- {text: e, contact: alarm-112}\n", encoding="utf-8")
    cases = load_cases(path)
    assert [c.group for c in cases] == [GROUP_KNOWLEDGE, GROUP_KNOWLEDGE, GROUP_OUT_OF_SCOPE,
                                        GROUP_CONTACT, GROUP_DANGER]
    assert cases[1].sources == ["inklusion", "specialtilbud"]


def test_dev_questions_load():
    assert len(load_cases(TEST_DATA / "dev_questions.yml")) == 44


def test_case_without_text_is_refused(tmp_path):
    path = tmp_path / "q.yml"
    path.write_text("cases:\n- {source: inklusion}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="case #1 has no text"):
        load_cases(path)


def test_judging_follows_the_design():
    assert judge(Case("x", sources=["inklusion", "specialtilbud"]), [SOURCE])[0]
    assert not judge(Case("x", sources=["tandpleje"]), [SOURCE])[0]
    assert not judge(Case("x", sources=["inklusion"]), [CONTACT])[0]
    assert judge(Case("x", sources=[]), [CONTACT])[0]  # none: a contact is fine
    assert not judge(Case("x", sources=[]), [SOURCE])[0]
    assert judge(Case("x", contact="centerchef"), [SOURCE, CONTACT])[0]
    assert not judge(Case("x", contact="alarm-112"), [CONTACT])[0]


def test_report_accuracy_and_latency():
    report = Report([Outcome(Case("a", sources=["x"]), ok, "", ms / 1000)
                     for ok, ms in [(True, 10), (True, 20), (False, 30), (True, 40)]])
    assert report.accuracy(GROUP_KNOWLEDGE) == 0.75
    assert report.accuracy(GROUP_DANGER) is None
    assert report.latency_ms(0.5) == pytest.approx(25)
    assert len(report.failures()) == 1


def test_eval_command_says_when_the_bot_is_not_running(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    code = cli.main(["eval", str(TEST_DATA / "dev_questions.yml"), "--url", url])
    assert code == 2
    assert "Kunne ikke nå botten" in capsys.readouterr().out


def test_comparison_results_replace_only_their_own_block(tmp_path):
    from bot.nlu_compare import write_results

    doc = tmp_path / "cmp.md"
    write_results(doc, "| first |\n")
    doc.write_text("# Title\n\nWhy we chose it.\n\n" + doc.read_text() + "\nMore prose.\n")
    write_results(doc, "| second |\n")
    text = doc.read_text()
    assert "| second |" in text and "| first |" not in text
    assert text.startswith("# Title") and text.endswith("More prose.\n")
