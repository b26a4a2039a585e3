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


CONVERSATIONS = """conversations:
- id: c1
  kind: pronoun_followup
  turns:
  - {text: "hvad er inklusion", source: inklusion}
  - {text: "sig det mere enkelt", source: inklusion}
- id: c2
  heldout: true
  turns:
  - {text: "hvem kan jeg ringe til", contact: centerchef}
  - {text: "hvad er mailen", contact: centerchef}
"""


def test_conversation_files_load_as_turns_in_order(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text(CONVERSATIONS, encoding="utf-8")
    turns = load_cases(path)
    assert [(t.conversation, t.text, t.heldout) for t in turns] == [
        ("c1", "hvad er inklusion", False), ("c1", "sig det mere enkelt", False),
        ("c2", "hvem kan jeg ringe til", True), ("c2", "hvad er mailen", True)]
    path.write_text("conversations:\n- {id: c1, turns: []}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="conversation #1 has no turns"):
        load_cases(path)


class _Remembering:
    """A real HTTP bot stand-in for the evaluator: it answers a follow-up only within
    the conversation (sender) that asked the first question."""

    def __enter__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                earlier = seen.setdefault(body["sender"], [])
                earlier.append(body["message"])
                if "ringe" in body["message"] or (len(earlier) > 1 and "ringe" in earlier[0]):
                    reply = [CONTACT]
                elif "inklusion" in " ".join(earlier):
                    reply = [SOURCE]
                else:
                    reply = [{"custom": {"source": {"id": "tandpleje"}}}]
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/webhooks/rest/webhook"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_turns_of_a_conversation_share_it_and_halves_are_reported(tmp_path):
    from bot.evaluation import evaluate, format_report
    path = tmp_path / "c.yml"
    path.write_text(CONVERSATIONS, encoding="utf-8")
    with _Remembering() as url:
        report = evaluate(url, load_cases(path))
        single = evaluate(url, [Case("sig det mere enkelt", sources=["inklusion"])])
    assert [o.passed for o in report.outcomes] == [True, True, True, True]
    # The same follow-up alone, in a conversation of its own, cites the wrong section.
    assert not single.outcomes[0].passed and single.outcomes[0].wrong
    text = format_report(report)
    assert "holdt ude:" in text and "tuning-halvdel:" in text
    assert report.accuracy(GROUP_CONTACT, heldout=True) == 1.0
    assert report.wrong_share(GROUP_KNOWLEDGE) == 0.0
    # A held-out mistake is counted, never shown.
    with _Remembering() as url:
        mixed = evaluate(url, [Case("hvad er tandpleje", sources=["inklusion"], heldout=True),
                               Case("hvad koster det", sources=["inklusion"])])
    shown = format_report(mixed)
    assert "hvad koster det" in shown and "hvad er tandpleje" not in shown
    assert "1 fejl i den holdt-ude halvdel vises ikke" in shown
