"""Where the time of one message goes in the Rasa server: a deterministic profile.

    python -m benchmarks.profile_request [--messages 60] [--sort tottime]

Starts the real action server, loads the newest model into a Rasa `Agent` in this
process with the project's endpoints.yml (the redacting SQLite conversation store in a
temporary folder, the lock in memory), has a few warm-up conversations, then profiles
`agent.handle_message` with cProfile over MESSAGES parent messages (questions, a person,
the callback form) and prints the functions that take the most time per message.
The action server's own work shows as waiting (it runs in its own process).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import tempfile
import time
from pathlib import Path

from tests.support.cluster import ACTION_TOKEN, VENV_PYTHON, Process, newest_model
from tests.support.servers import MailServer, free_port

TURNS = ["hej", "hvad gør I, hvis jeg er bekymret for mit barn?", "jeg vil gerne tale med en leder",
         "hvornår kan jeg ringe?", "kan nogen ringe mig op?",
         "Vores søn vil ikke i skole og sover dårligt", "Lene Jensen", "22 44 66 88", "ja",
         "hvordan kan tandplejen hjælpe?", "tak"]


async def conversation(agent: object, sender: str, turns: list[str]) -> float:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    begun = time.perf_counter()
    for text in turns:
        collector = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, collector, sender))  # type: ignore[attr-defined]
        assert collector.messages, text
    return time.perf_counter() - begun


async def nlu_part(agent: object, rounds: int) -> list[float]:
    """Seconds per message of the NLU graph alone (tokenizer, classifiers, safety net)."""
    from rasa.core.channels.channel import UserMessage

    processor = agent.processor  # type: ignore[attr-defined]
    times = []
    for _ in range(rounds):
        for text in TURNS:
            begun = time.perf_counter()
            await processor.parse_message(UserMessage(text))
            times.append(time.perf_counter() - begun)
    return times


async def run(messages: int, sort: str, rows: int, rasa_lookup: bool) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import Event
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # As `rasa run` without --debug: warnings only.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    rasa_own = Event.__dict__["resolve_by_type"]
    endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
    agent = await load_agent(model_path=str(newest_model()), endpoints=endpoints)
    if rasa_lookup:  # undo bot.rasa_speedups' event table, to compare
        Event.resolve_by_type = rasa_own
    for n in range(3):
        await conversation(agent, f"opvarmning-{n}", TURNS)
    rounds = max(1, messages // len(TURNS))
    plain = 0.0
    for n in range(rounds):
        plain += await conversation(agent, f"uprofileret-{n}-{time.time_ns()}", TURNS)
    print(f"without the profiler: {1000 * plain / (rounds * len(TURNS)):.1f} ms per message "
          f"(in-process, {rounds * len(TURNS)} messages"
          f"{', Rasa' + chr(39) + 's own event lookup' if rasa_lookup else ''})")
    nlu = await nlu_part(agent, rounds)
    print(f"the NLU part (processor.parse_message, without the profiler): "
          f"{1000 * sum(nlu) / len(nlu):.2f} ms per message on average, median "
          f"{1000 * sorted(nlu)[len(nlu) // 2]:.2f} ms, slowest {1000 * max(nlu):.2f} ms")
    profiler = cProfile.Profile()
    begun = time.perf_counter()
    profiler.enable()
    for n in range(rounds):
        await conversation(agent, f"profil-{n}-{time.time_ns()}", TURNS)
    profiler.disable()
    wall = time.perf_counter() - begun
    count = rounds * len(TURNS)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(rows)
    print(f"with the profiler: {1000 * wall / count:.1f} ms per message (the action "
          "server's work shows as waiting)\n")
    total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
    print(f"time inside profiled functions: {1000 * total / count:.1f} ms per message\n")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=66)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--rows", type=int, default=45)
    parser.add_argument("--rasa-event-lookup", action="store_true",
                        help="measure with Rasa's own Event.resolve_by_type (before the fix)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="herning-profile-"))
    mail = MailServer().start()
    port = free_port()
    os.environ.update({
        "ACTION_PORT": str(port), "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{port}/webhook",
        "ACTION_SERVER_TOKEN": ACTION_TOKEN, "SANIC_HOST": "127.0.0.1",
        "TRACKER_DB": str(workdir / "conversations.db"),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail.port),
        "SMTP_FROM": "chatbot@herning.test", "RASA_TELEMETRY_ENABLED": "false",
    })
    for name in ("TRACKER_STORE_URL", "HANDOFF_DB_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    actions = Process("action server", [str(VENV_PYTHON), "-m", "bot.action_server",
                                        "--actions", "actions", "--port", str(port)],
                      workdir / "actions.log", f"http://127.0.0.1:{port}/health")
    actions.start(dict(os.environ))
    try:
        actions.wait()
        asyncio.run(run(args.messages, args.sort, args.rows, args.rasa_event_lookup))
    finally:
        actions.stop()
        mail.stop()


if __name__ == "__main__":
    main()
