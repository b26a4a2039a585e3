"""The project's command line: `python -m bot.cli <kommando>` (help texts in Danish)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from bot import settings
from bot.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from bot.handoff_store import StoredRequest


def _say(text: str) -> None:
    print(text, flush=True)


def cmd_build_spacy(args: argparse.Namespace) -> int:
    from bot.nlp import build_danish_pipeline, lemmas

    target = Path(args.target)
    _say(f"Bygger den danske spaCy-pipeline i {target} ...")
    build_danish_pipeline(target)
    sample = "børnene går i børnehaven"
    _say(f"Færdig. Lemmaer for '{sample}': {' '.join(lemmas(str(target), sample))}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import evaluate, format_report, load_cases

    cases = load_cases(Path(args.questions))
    _say(f"Sender {len(cases)} spørgsmål til {args.url} ...")
    try:
        report = evaluate(args.url, cases)
    except OSError as error:
        _say(f"Kunne ikke nå botten på {args.url}: {error}. Kører den (make run)?")
        return 2
    _say(format_report(report))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.evaluation import benchmark, load_cases

    texts = [case.text for case in load_cases(Path(args.questions))]
    _say(f"Sender {args.requests} beskeder én ad gangen til {args.url} ...")
    benchmark(args.url, texts[:5], min(5, args.requests))  # warm-up, not counted
    report = benchmark(args.url, texts, args.requests, args.turns)
    _say(f"p50 {report.latency_ms(0.50):.0f} ms, p95 {report.latency_ms(0.95):.0f} ms, "
         f"p99 {report.latency_ms(0.99):.0f} ms over {args.requests} svar "
         f"i samtaler på {args.turns} beskeder")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from bot.nlu_compare import compare, write_results

    table = compare(Path(args.holdout), Path(args.data), _say)
    write_results(Path(args.out), table)
    _say(table)
    _say(f"Skrevet til {args.out}")
    return 0


def _delivery_state(request: StoredRequest) -> str:
    parts = []
    for d in request.deliveries:
        if d.delivered_at:
            parts.append(f"{d.channel}: leveret")
        else:
            error = f" ({d.last_error})" if d.last_error else ""
            parts.append(f"{d.channel}: IKKE leveret, {d.attempts} forsøg{error}")
    return "; ".join(parts) or "ingen kanal sat op (SMTP_HOST / HANDOFF_WEBHOOK_URL)"


def cmd_handoffs_list(args: argparse.Namespace) -> int:
    from bot.handoff_store import HandoffStoreError, store_for
    from bot.hours import DANISH_TIME

    store = store_for(settings.load().handoff_db_url)
    try:
        requests = store.undelivered() if args.undelivered else store.all()
    except HandoffStoreError as error:
        _say(f"Kunne ikke læse henvendelserne: {error}")
        return 2
    if not requests:
        _say("Ingen ikke-leverede henvendelser." if args.undelivered else "Ingen henvendelser.")
        return 0
    for r in requests:
        when = r.created_at.astimezone(DANISH_TIME).strftime("%d.%m.%Y %H.%M")
        _say(f"{r.reference}  {when}  til {r.contact_name}  emne: {r.topic_title or '-'}  "
             f"{_delivery_state(r)}")
    return 0


def cmd_handoffs_resend(args: argparse.Namespace) -> int:
    from bot.handoff_store import HandoffStoreError, store_for
    from bot.notify import Notifier

    config = settings.load()
    store = store_for(config.handoff_db_url)
    try:
        pending = store.undelivered()
        _say(f"Sender {len(pending)} ikke-leverede henvendelser igen ...")
        results = Notifier(store, config).resend_undelivered()
    except HandoffStoreError as error:
        _say(f"Kunne ikke læse henvendelserne: {error}")
        return 2
    for reference, delivered in results:
        _say(f"{reference}: {'leveret' if delivered else 'stadig ikke leveret'}")
    failed = sum(1 for _, delivered in results if not delivered)
    _say(f"Færdig: {len(results) - failed} leveret, {failed} stadig ikke leveret.")
    return 1 if failed else 0


def cmd_conversations_purge(args: argparse.Namespace) -> int:
    from bot.retention import RetentionError, conversation_store_url, purge_older_than

    config = settings.load()
    days = args.days if args.days is not None else config.retention_days
    try:
        removed = purge_older_than(conversation_store_url(config.tracker_db), days)
    except (RetentionError, ValueError) as error:
        _say(f"Kunne ikke slette gamle samtaler: {error}")
        return 2
    _say(f"Slettede {len(removed)} samtaler uden beskeder de seneste {days} dage.")
    return 0


def cmd_conversations_delete(args: argparse.Namespace) -> int:
    from bot.retention import RetentionError, conversation_store_url, delete_conversation

    config = settings.load()
    try:
        count = delete_conversation(conversation_store_url(config.tracker_db), args.sender_id)
    except RetentionError as error:
        _say(f"Kunne ikke slette samtalen: {error}")
        return 2
    if not count:
        _say(f"Ingen samtale med id {args.sender_id}.")
        return 1
    _say(f"Samtalen {args.sender_id} er slettet ({count} hændelser). Ønsker om at blive "
         "kontaktet, som forælderen selv har sendt, er ikke slettet.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    import subprocess
    from pathlib import Path

    from bot.validate import check

    root = Path(args.root).resolve()
    _say("Tjekker YAML, eksempler, afsnit og kontakter ...")
    problems = check(root)
    for problem in problems:
        _say(f"  {problem}")
    if problems:
        _say(f"{len(problems)} fejl. Ret dem og kør 'validate' igen.")
        return 1
    _say("  i orden.")
    if args.uden_rasa:
        return 0
    _say("Kører Rasas egen kontrol (rasa data validate) ...")
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
         "--data", "data", "--domain", "domain.yml", "--config", "config.yml"],
        cwd=root, capture_output=True, text=True,
        env={**os.environ, **settings.load().as_env(), "ACTION_SERVER_TOKEN": ""})
    if done.returncode != 0:
        lines = [line for line in (done.stdout + done.stderr).splitlines()
                 if "UserWarning" in line or "Error" in line or "error" in line]
        for line in lines[-20:] or (done.stdout + done.stderr).splitlines()[-20:]:
            _say(f"  {line.strip()}")
        _say("Rasas kontrol fandt fejl (se ovenfor).")
        return 1
    _say("  i orden. Alt er klar til træning.")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.knowledge import load_knowledge
    from bot.retention import conversation_store_url
    from bot.review import read_messages, write_report

    config = settings.load()
    url = args.store or conversation_store_url(config.tracker_db)
    _say("Læser samtalerne ...")
    messages = read_messages(url)
    titles = {s.intent: s.title for s in load_knowledge().sections.values()}
    _say(f"Skriver rapporten for {len(messages)} beskeder ...")
    csv_path, html_path = write_report(messages, Path(args.out), titles)
    _say(f"Færdig: {html_path} (åbn den i en browser) og {csv_path}.")
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.knowledge import load_knowledge
    from bot.privacy import PLACEHOLDERS, find_personal_data
    from bot.review import add_training_example
    from bot.validate import check

    root = Path(args.root).resolve()
    text = " ".join(args.tekst.split())
    if find_personal_data(text, names=True) or any(p in text for p in PLACEHOLDERS.values()):
        _say("Teksten indeholder personoplysninger eller en pladsholder som [CPR]. "
             "Skriv den om uden dem; personoplysninger må aldrig stå i træningsdata.")
        return 2
    section = load_knowledge().sections.get(args.afsnit)
    if section is None:
        _say(f"Ukendt afsnit »{args.afsnit}«. Afsnittene står i data/knowledge/sections.yml.")
        return 2
    path = add_training_example(root / "data" / "nlu", section.intent, text)
    _say(f"Tilføjet til {path.relative_to(root)} under {section.intent}.")
    problems = check(root)
    for problem in problems:
        _say(f"  {problem}")
    if problems:
        _say("Valideringen fandt fejl; ret dem, før du træner.")
        return 1
    _say("Valideret. Træn og genindlæs modellen for at tage eksemplet i brug.")
    return 0


def cmd_slot_key(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    config = settings.load()
    parser = argparse.ArgumentParser(
        prog="python -m bot.cli",
        description="Værktøjer til Herning Kommunes chatbot om sårbare børn og unge.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="kommando")

    build = commands.add_parser("build-spacy", help="byg den danske spaCy-pipeline")
    build.add_argument("--target", default=str(PROJECT_ROOT / config.spacy_model),
                       help="mappe, pipelinen skrives til (standard: %(default)s)")
    build.set_defaults(run=cmd_build_spacy)

    evaluate = commands.add_parser(
        "eval", help="send en spørgsmålsfil til en kørende bot og vis træfsikkerhed og svartid"
    )
    evaluate.add_argument("questions", help="YAML-fil med spørgsmål (cases: ...)")
    evaluate.add_argument(
        "--url",
        default=f"http://{config.rasa_host}:{config.rasa_port}/webhooks/rest/webhook",
        help="REST-adressen på botten (standard: %(default)s)",
    )
    evaluate.set_defaults(run=cmd_eval)

    bench = commands.add_parser("bench", help="mål svartiden over REST (benchmark)")
    bench.add_argument("questions", help="YAML-fil med spørgsmål (cases: ...)")
    bench.add_argument("--requests", type=int, default=300, help="antal beskeder (%(default)s)")
    bench.add_argument("--turns", type=int, default=8,
                       help="beskeder pr. samtale (%(default)s)")
    bench.add_argument("--url", default=evaluate.get_default("url"),
                       help="REST-adressen på botten (standard: %(default)s)")
    bench.set_defaults(run=cmd_bench)

    comp = commands.add_parser(
        "compare", help="sammenlign NLU-pipelines på det tilbageholdte testsæt"
    )
    comp.add_argument("--holdout", default=str(PROJECT_ROOT / "tests/data/nlu_holdout.yml"),
                      help="tilbageholdt testsæt (standard: %(default)s)")
    comp.add_argument("--data", default=str(PROJECT_ROOT / "data/nlu"),
                      help="træningsdata (standard: %(default)s)")
    comp.add_argument("--out", default=str(PROJECT_ROOT / "docs/nlu-comparison.md"),
                      help="Markdown-fil til resultatet (standard: %(default)s)")
    comp.set_defaults(run=cmd_compare)

    handoffs = commands.add_parser(
        "handoffs", help="forældres ønsker om at blive kontaktet: vis og send igen"
    )
    handoff_commands = handoffs.add_subparsers(dest="handoff_command", required=True,
                                               metavar="handling")
    listing = handoff_commands.add_parser("list", help="vis henvendelser og om de er leveret")
    listing.add_argument("--undelivered", action="store_true",
                         help="kun dem, der ikke er leveret til en medarbejder endnu")
    listing.set_defaults(run=cmd_handoffs_list)
    resend = handoff_commands.add_parser(
        "resend", help="send ikke-leverede henvendelser igen (fx hvert 10. minut fra cron)"
    )
    resend.set_defaults(run=cmd_handoffs_resend)

    conversations = commands.add_parser(
        "conversations", help="samtaler i samtalelageret: slet gamle eller én bestemt"
    )
    conversation_commands = conversations.add_subparsers(dest="conversation_command",
                                                         required=True, metavar="handling")
    purge = conversation_commands.add_parser(
        "purge", help="slet samtaler ældre end grænsen (kør den dagligt, fx fra cron)"
    )
    purge.add_argument("--days", type=int, default=None,
                       help=f"antal dage (standard: RETENTION_DAYS = {config.retention_days})")
    purge.set_defaults(run=cmd_conversations_purge)
    delete = conversation_commands.add_parser(
        "delete", help="slet én samtale efter anmodning (samtalens id)"
    )
    delete.add_argument("sender_id", help="samtalens id (sender id)")
    delete.set_defaults(run=cmd_conversations_delete)

    validate = commands.add_parser(
        "validate", help="tjek træningsdata, afsnit og kontakter (fil og linje ved fejl)"
    )
    validate.add_argument("--root", default=str(settings.PROJECT_ROOT),
                          help="projektmappen (standard: denne)")
    validate.add_argument("--uden-rasa", action="store_true",
                          help="spring Rasas egen, langsommere kontrol over")
    validate.set_defaults(run=cmd_validate)

    review = commands.add_parser(
        "review", help="rapport over det, botten ikke kunne svare på, og nøgletal (CSV, HTML)"
    )
    review.add_argument("--out", default=str(settings.PROJECT_ROOT / "var" / "review"),
                        help="mappe til review.csv og review.html")
    review.add_argument("--store", default=None,
                        help="samtalelageret som SQLAlchemy-URL (standard: TRACKER_DB)")
    review.set_defaults(run=cmd_review)

    learn = commands.add_parser(
        "learn", help="gør en gennemgået besked til træningseksempel under et afsnit"
    )
    learn.add_argument("tekst", help="formuleringen, uden personoplysninger")
    learn.add_argument("--afsnit", required=True, help="afsnittets id, fx tandpleje")
    learn.add_argument("--root", default=str(settings.PROJECT_ROOT), help=argparse.SUPPRESS)
    learn.set_defaults(run=cmd_learn)

    slot_key = commands.add_parser(
        "slot-key", help="lav en ny nøgle til TRACKER_SLOT_KEY (fælles for alle Rasa-servere)"
    )
    slot_key.set_defaults(run=cmd_slot_key)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
