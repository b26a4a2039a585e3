"""Log lines at every level carry no personal data (bot.log_redaction).

Each case runs in a fresh Python process that configures logging as `rasa run --debug`
does (stdlib logging and Rasa's structlog, JSON rendered), installs the redaction and
logs; the test reads what the process printed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bot.settings import PROJECT_ROOT

SETUP = """
import contextvars, logging, structlog
from rasa.utils.log_utils import configure_structlog
from rasa.shared.core.events import BotUttered, SlotSet
configure_structlog(logging.DEBUG)
from bot import log_redaction
from bot.redaction import private_value
log_redaction.install(names=True)
log = logging.getLogger("rasa.core.processor")
structlogger = structlog.get_logger()
"""


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", SETUP + textwrap.dedent(code)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_stdlib_records_at_every_level_are_redacted():
    out = run("""
        log.debug("Received user message '%s'", "cpr 010203-1234")
        log.info("ring %s", "22 33 44 55")
        log.warning("mail %(to)s", {"to": "mor@example.dk"})
        log.error("min søn Oliver er syg")
        try:
            raise ValueError("bad message 0102031234")
        except ValueError:
            log.exception("failed")
    """)
    for original in ("010203-1234", "22 33 44 55", "mor@example.dk", "Oliver", "0102031234"):
        assert original not in out, original
    for placeholder in ("cpr [CPR]", "ring [TELEFON]", "mail [EMAIL]", "min søn [NAVN]",
                        "bad message [CPR]"):
        assert placeholder in out, placeholder
    assert "Traceback" in out  # the traceback is kept, only its data is gone


def test_rasas_structured_debug_events_are_redacted_before_rendering():
    out = run("""
        structlogger.debug("processor.message.parse",
                           parse_data_text="min datter Freja, mor@example.dk",
                           parse_data_entities=[{"value": "22334455"}],
                           rasa_events=[BotUttered("ring 22 33 44 55")])
    """)
    for original in ("Freja", "mor@example.dk", "22334455", "22 33 44 55"):
        assert original not in out, original
    assert "processor.message.parse" in out and "[EMAIL]" in out and "[TELEFON]" in out


def test_private_values_met_by_the_store_are_redacted_in_later_lines():
    out = run("""
        log_redaction.remember([("Sigrid Holm", private_value("Sigrid Holm"))])
        structlogger.debug("processor.actions.log",
                           rasa_events=[BotUttered("Navn: Sigrid Holm. Må jeg sende det?")])
        log.info("navn %s", "sigrid holm")
    """)
    assert "Sigrid" not in out and "sigrid" not in out
    assert out.count("[NAVN]") == 2


def test_a_form_answer_is_left_out_of_the_debug_events_of_its_turn():
    out = run("""
        log_redaction.hide_answers_in_this_turn(True)   # the store saw a form running
        structlogger.debug("processor.message.parse", parse_data_text="Bodil Winther",
                           parse_data_intent={"name": "inform"})
        log_redaction.hide_answers_in_this_turn(False)  # the next message, no form
        structlogger.debug("processor.message.parse", parse_data_text="næste besked")
    """)
    assert "Bodil" not in out and "[SKJULT]" in out and "inform" in out
    assert "næste besked" in out or "n\\u00e6ste besked" in out  # later turns are not hidden


def test_install_twice_redacts_once():
    out = run("""
        log_redaction.install(names=True)
        log.info("cpr %s", "010203-1234")
    """)
    assert "cpr [CPR]" in out and "[[CPR]]" not in out
