"""The project's command line: `python -m bot.cli <kommando>` (help texts in Danish)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

from bot import settings
from bot.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from bot.handoff_store import StoredRequest
    from bot.nlu_compare import Score


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
    from bot.retention import RetentionError, purge_older_than

    config = settings.load()
    days = args.days if args.days is not None else config.retention_days
    try:
        removed = purge_older_than(config.tracker_store_url, days)
    except (RetentionError, ValueError) as error:
        _say(f"Kunne ikke slette gamle samtaler: {error}")
        return 2
    _say(f"Slettede {len(removed)} samtaler uden beskeder de seneste {days} dage.")
    return 0


def cmd_conversations_delete(args: argparse.Namespace) -> int:
    from bot.retention import RetentionError, delete_conversation

    config = settings.load()
    try:
        count = delete_conversation(config.tracker_store_url, args.sender_id)
    except RetentionError as error:
        _say(f"Kunne ikke slette samtalen: {error}")
        return 2
    if not count:
        _say(f"Ingen samtale med id {args.sender_id}.")
        return 1
    _say(f"Samtalen {args.sender_id} er slettet ({count} hændelser). Ønsker om at blive "
         "kontaktet, som forælderen selv har sendt, er ikke slettet.")
    return 0


def _rasa_env() -> Dict[str, str]:
    """The environment Rasa's own commands run with: the settings with defaults applied,
    and this project's package importable (config.yml names its components)."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, **settings.load().as_env(),
            "ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN", ""),
            "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": path}


def _newest_model(root: Path) -> Optional[Path]:
    models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _check_data(root: Path, with_rasa: bool = True) -> bool:
    """The project's checks, then Rasa's; True when the data is fit to train."""
    import subprocess

    from bot.validate import check

    _say("Tjekker YAML, eksempler, afsnit og kontakter ...")
    problems = check(root)
    for problem in problems:
        _say(f"  {problem}")
    if problems:
        _say(f"{len(problems)} fejl. Ret dem og kør 'validate' igen.")
        return False
    _say("  i orden.")
    if not with_rasa:
        return True
    _say("Kører Rasas egen kontrol (rasa data validate) ...")
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
         "--data", "data", "--domain", "domain.yml", "--config", "config.yml"],
        cwd=root, capture_output=True, text=True, env=_rasa_env())
    if done.returncode != 0:
        output = (done.stdout + done.stderr).splitlines()
        lines = [line for line in output
                 if "UserWarning" in line or "Error" in line or "error" in line]
        for line in lines[-20:] or output[-20:]:
            _say(f"  {line.strip()}")
        _say("Rasas kontrol fandt fejl (se ovenfor).")
        return False
    _say("  i orden.")
    return True


def cmd_validate(args: argparse.Namespace) -> int:
    if not _check_data(Path(args.root).resolve(), with_rasa=not args.uden_rasa):
        return 1
    _say("Alt er klar til træning.")
    return 0


TRAINING_STEP = re.compile(r"Starting to train component '([^']+)'")


def cmd_train(args: argparse.Namespace) -> int:
    import subprocess
    import time

    root = Path(args.root).resolve()
    if not _check_data(root, with_rasa=not args.uden_rasa):
        _say("Træner ikke: ret fejlene først.")
        return 1
    name = time.strftime("herning-%Y%m%d-%H%M%S")
    _say("Træner modellen (under et minut på en server med 2 kerner) ...")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa", "train", "--config", "config.yml",
         "--domain", "domain.yml", "--data", "data/nlu", "data/stories",
         "--out", "models", "--fixed-model-name", name],
        cwd=root, env=_rasa_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)  # text mode turns the progress bar's "\r" into lines
    tail: List[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-30:]
        step = TRAINING_STEP.search(line)
        if step:
            _say(f"  trin: {step.group(1)}  ({time.monotonic() - started:.0f} s)")
    if process.wait() != 0:
        for line in tail:
            _say(f"  {line}")
        _say("Træningen fejlede (se ovenfor).")
        return 1
    model = root / "models" / f"{name}.tar.gz"
    _say(f"Færdig efter {time.monotonic() - started:.0f} s: {model}")
    _say("Test den med 'test', og tag den i brug med 'reload'.")
    return 0


def _score(model: Path, questions: List[Tuple[str, str]], what: str) -> Optional[Score]:
    import logging

    from rasa.utils.log_utils import configure_structlog

    from bot.nlu_compare import score_model
    from bot.quality import describe

    configure_structlog(logging.WARNING)  # Rasa logs every parse at DEBUG otherwise
    _say(f"Måler {what} på {len(questions)} tilbageholdte spørgsmål ...")
    try:
        score = score_model(what, str(model), questions)
    except Exception as error:  # a broken or foreign file: refuse it with the reason
        _say(f"  {what} kan ikke indlæses: {error}")
        return None
    _say(f"  {describe(score)}")
    return score


def cmd_test(args: argparse.Namespace) -> int:
    import tempfile

    from bot.quality import below_thresholds, holdout, story_tests, thresholds

    root = Path(args.root).resolve()
    model = Path(args.model).resolve() if args.model else _newest_model(root)
    if model is None or not model.exists():
        _say("Ingen trænet model. Træn en med 'train'.")
        return 2
    _say(f"Tester {model.name}.")
    _say("Kører historietestene (tests/stories) ...")
    with tempfile.TemporaryDirectory() as out:
        stories = story_tests(root, model, Path(out), _rasa_env())
    if stories.passed:
        _say("  alle historier gik som forventet.")
    else:
        for name in stories.failed_stories or [stories.output]:
            _say(f"  fejlede: {name}")
    score = _score(model, holdout(root), "modellen")
    reasons = ["modellen kan ikke indlæses"] if score is None else \
        below_thresholds(score, thresholds(root))
    for reason in reasons:
        _say(f"  under kravet: {reason}")
    if not stories.passed or reasons:
        _say("Modellen består ikke testene. Tag den ikke i brug.")
        return 1
    _say("Modellen består testene.")
    return 0


def cmd_reload(args: argparse.Namespace) -> int:
    """Swap a new model into one Rasa server or every replica (`--url` once per replica):
    all are checked first, and none is swapped unless the model is good enough for all."""
    from bot.nlu_compare import score_parses
    from bot.quality import below_thresholds, describe, holdout, thresholds, worse_than
    from bot.rasa_api import RasaApi, RasaApiError

    root = Path(args.root).resolve()
    config = settings.load()
    urls = args.url or [f"http://{config.rasa_host}:{config.rasa_port}"]
    if not config.rasa_api_jwt_secret:
        _say("RASA_API_JWT_SECRET er ikke sat. Den skal være den samme som Rasa-serverens, "
             "så serveren ved, at det er dig.")
        return 2
    model = Path(args.model).resolve() if args.model else _newest_model(root)
    if model is None or not model.is_file():
        _say("Ingen trænet model at tage i brug. Træn en med 'train'.")
        return 2
    _say(f"Tager {model.name} i brug på {', '.join(urls)}.")
    if not _check_data(root, with_rasa=False):
        _say("Afvist: træningsdataene har fejl; modellen tages ikke i brug.")
        return 1
    servers = [RasaApi(url, config.rasa_api_jwt_secret) for url in urls]
    running: Dict[str, Path] = {}
    try:
        for url, api in zip(urls, servers, strict=True):
            running[url] = Path(str(api.status().get("model_file") or ""))
    except RasaApiError as error:
        _say(f"Afvist: {error}")
        return 2
    todo = [(url, api) for url, api in zip(urls, servers, strict=True)
            if running[url].name != model.name]
    if not todo:
        _say(f"{'Serveren' if len(urls) == 1 else 'Alle servere'} kører allerede {model.name}.")
        return 0
    questions = holdout(root)
    new = _score(model, questions, "den nye model")
    if new is None:
        _say("Afvist: den nye model kan ikke indlæses.")
        return 1
    reasons = below_thresholds(new, thresholds(root))
    scored: Set[str] = set()
    for url, api in todo:
        if running[url].name in scored:
            continue  # the same model on another replica: scored once
        scored.add(running[url].name)
        _say(f"Måler den kørende model ({running[url].name}) på de samme spørgsmål gennem "
             f"{url} ...")
        try:
            old = score_parses("running", questions, api.parse)
        except RasaApiError as error:
            _say(f"Afvist: {error}")
            return 2
        _say(f"  {describe(old)}")
        reasons += worse_than(new, old, len(questions), args.tolerance)
    if reasons:
        for reason in reasons:
            _say(f"  {reason}")
        _say("Afvist: den nye model er ikke god nok. " + (
            f"Serveren kører videre med {running[urls[0]].name}." if len(urls) == 1
            else "Serverne kører videre med deres model."))
        return 1
    for url, api in todo:
        _say(f"Skifter modellen på {url} ...")
        try:
            api.replace_model(str(model))
            now = Path(str(api.status().get("model_file") or "")).name
        except RasaApiError as error:
            now, problem = "", str(error)
        else:
            problem = f"serveren kører {now}"
        if now != model.name:
            done = [u for u, _ in todo[:todo.index((url, api))]]
            _say(f"Skiftet mislykkedes på {url}: {problem}."
                 + (f" Allerede skiftet: {', '.join(done)}; kør kommandoen igen." if done
                    else ""))
            return 1
    _say(f"Færdig: {'serveren' if len(urls) == 1 else 'alle servere'} svarer nu med "
         f"{model.name}. Samtaler i gang fortsætter.")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from bot.knowledge import load_knowledge
    from bot.review import read_feedback, read_messages, write_report

    config = settings.load()
    url = args.store or config.tracker_store_url
    if url == f"sqlite:///{config.tracker_db}" and not Path(config.tracker_db).is_file():
        _say(f"Der er ingen samtaler endnu: {config.tracker_db} findes ikke. Peger "
             "TRACKER_DB på botens samtalelager?")
        return 1
    _say("Læser samtalerne ...")
    try:
        messages, feedback = read_messages(url), read_feedback(url)
    except sa.exc.SQLAlchemyError as error:
        _say(f"Kunne ikke læse samtalelageret: {error.__class__.__name__}. Tjek adressen "
             "(--store eller TRACKER_STORE_URL).")
        return 2
    sections = load_knowledge().sections.values()
    _say(f"Skriver rapporten for {len(messages)} beskeder og {len(feedback)} vurderinger ...")
    csv_path, html_path = write_report(messages, Path(args.out),
                                       {s.intent: s.title for s in sections}, feedback,
                                       {s.id: s.title for s in sections})
    _say(f"Færdig: {html_path} (åbn den i en browser) og {csv_path}.")
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
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

    train = commands.add_parser(
        "train", help="valider dataene og træn en ny model (models/herning-<tid>.tar.gz)")
    train.add_argument("--root", default=str(settings.PROJECT_ROOT), help=argparse.SUPPRESS)
    train.add_argument("--uden-rasa", action="store_true",
                       help="spring Rasas egen kontrol over før træningen")
    train.set_defaults(run=cmd_train)

    test = commands.add_parser(
        "test", help="test modellen: historietestene og de tilbageholdte spørgsmål")
    test.add_argument("--model", default=None, help="modelfilen (standard: den nyeste)")
    test.add_argument("--root", default=str(settings.PROJECT_ROOT), help=argparse.SUPPRESS)
    test.set_defaults(run=cmd_test)

    reload = commands.add_parser(
        "reload", help="tag en ny model i brug i den kørende server uden nedetid")
    reload.add_argument("--model", default=None, help="modelfilen (standard: den nyeste)")
    reload.add_argument("--url", action="append", default=None,
                        help="en Rasa-server; gentag den for hver replika (standard: "
                             f"http://{config.rasa_host}:{config.rasa_port})")
    reload.add_argument("--tolerance", type=int, default=1,
                        help="så mange færre rigtige svar på de tilbageholdte spørgsmål "
                             "tåles (standard: %(default)s)")
    reload.add_argument("--root", default=str(settings.PROJECT_ROOT), help=argparse.SUPPRESS)
    reload.set_defaults(run=cmd_reload)

    review = commands.add_parser(
        "review", help="rapport over det, botten ikke kunne svare på, og nøgletal (CSV, HTML)"
    )
    review.add_argument("--out", default=str(settings.PROJECT_ROOT / "var" / "review"),
                        help="mappe til review.csv og review.html")
    review.add_argument("--store", default=None,
                        help="samtalelageret som SQLAlchemy-URL (standard: TRACKER_STORE_URL)")
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
    import warnings

    # The libraries' warnings and TensorFlow's notices are not for staff.
    warnings.simplefilter("ignore")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
