"""Two Rasa replicas behind one PostgreSQL and one Redis: nothing lost, faults survived.

A real local deployment (tests/support/cluster.py): PostgreSQL started with initdb in a
temporary folder, Redis, the action server and two Rasa server replicas sharing them
through TRACKER_STORE_URL and REDIS_URL. Messages go alternately to both replicas, as a
load balancer without sticky sessions would send them. Run alone with
`make test-cluster` (pytest -m cluster).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa

from bot.rasa_api import RasaApi
from bot.settings import PROJECT_ROOT
from tests.support.cluster import API_SECRET, VENV_PYTHON, LocalCluster, newest_model

pytestmark = [pytest.mark.live, pytest.mark.cluster, pytest.mark.timeout(1800)]

# Short enough that a conversation held by a killed replica is free again soon.
LOCK_LIFETIME = 12
RATE_LIMIT = 14
STORE_ERROR = "Beskeden kunne ikke behandles lige nu. Prøv igen om lidt."
CENTRE_CHIEF_PHONE = "20 67 42 14"

# Parent turns written for this test (not the evaluation questions).
TURNS = [
    "hej",
    "hvem kan jeg tale med om min søns trivsel?",
    "hvornår har tandplejen åbent?",
    "hvad gør kommunen når et barn mistrives?",
    "tak for svaret",
    "må jeg ringe til centerchefen?",
    "hvad betyder forebyggende indsatser?",
    "min datter er bange for at gå i skole",
    "kan jeg få hjælp som forælder?",
    "farvel",
]


Reply = Tuple[int, Any]


def post(base: str, sender: str, text: str, timeout: float = 90) -> Reply:
    """(HTTP status, JSON body) of one message to one replica."""
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def stored(cluster: LocalCluster, sender: str) -> List[Tuple[str, Dict[str, Any]]]:
    """(event type, event) of one conversation, in the order PostgreSQL holds them."""
    engine = sa.create_engine(cluster.store_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender}).all()
    finally:
        engine.dispose()
    return [(row[0], json.loads(row[1])) for row in rows]


def user_texts(events: List[Tuple[str, Dict[str, Any]]]) -> List[str]:
    return [event["text"] for kind, event in events if kind == "user"]


def bot_count(events: List[Tuple[str, Dict[str, Any]]]) -> int:
    return sum(1 for kind, _ in events if kind == "bot")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = LocalCluster(tmp_path_factory.mktemp("cluster"), replicas=2, web=True, overrides={
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME),
        "ACTION_TIMEOUT_SECONDS": "5",
        "RATE_LIMIT_MESSAGES": str(RATE_LIMIT),
        "RATE_LIMIT_SECONDS": "60",
    })
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def replicas(cluster) -> List[str]:
    """Both replicas' addresses, after restarting one an earlier test stopped."""
    for index, replica in enumerate(cluster.rasa):
        if not replica.running:
            cluster.restart_replica(index)
    if not cluster.action_server.running:
        cluster.action_server.start(cluster.env)
        cluster.action_server.wait()
    return cluster.urls


def test_200_alternating_messages_in_20_conversations_are_each_stored_once(cluster, replicas):
    senders = [f"klynge-{n:02d}-{time.time_ns()}" for n in range(20)]
    bots_seen: Dict[str, int] = defaultdict(int)

    def converse(number: int) -> None:
        sender = senders[number]
        for turn in range(10):
            text = TURNS[(number + turn) % len(TURNS)]
            status, messages = post(replicas[(number + turn) % 2], sender, text)
            assert status == 200 and messages, (sender, turn, status, messages)
            bots_seen[sender] += len(messages)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(converse, range(20)))

    for number, sender in enumerate(senders):
        events = stored(cluster, sender)
        sent = [TURNS[(number + turn) % len(TURNS)] for turn in range(10)]
        assert user_texts(events) == sent, sender  # none lost, none twice, in order
        assert bot_count(events) == bots_seen[sender], sender


def test_a_callback_form_filled_on_both_replicas_is_delivered_once(cluster, replicas):
    sender = f"klynge-form-{time.time_ns()}"
    steps = [("kan I ringe mig op?", "Hvad vil du gerne tale med kommunen om?"),
             ("Min søn græder hver morgen før skole", "Hvad hedder du?"),
             ("Mette Hansen", "telefonnummer eller hvilken mailadresse"),
             ("22 33 44 55", "Må jeg sende disse oplysninger til Bo Ulrich Bertelsen"),
             ("ja", "Din besked er sendt")]
    for turn, (text, expected) in enumerate(steps):
        status, messages = post(replicas[turn % 2], sender, text)
        assert status == 200 and expected in texts(messages), (turn, messages)
    # The name was sealed by one replica and opened by the other (shared TRACKER_SLOT_KEY).
    assert "Tak, Mette Hansen" in texts(messages)
    mails = cluster.mail.wait_for(1)
    assert len([m for m in mails if "Mette Hansen" in m.get_payload(decode=True)
                .decode("utf-8")]) == 1


def test_two_messages_at_once_to_both_replicas_are_handled_one_after_the_other(
        cluster, replicas):
    senders = [f"klynge-samtidig-{n}-{time.time_ns()}" for n in range(10)]
    start = threading.Barrier(20)

    def send(job: Tuple[str, int]) -> int:
        sender, replica = job
        start.wait()
        status, _ = post(replicas[replica], sender, TURNS[1 + replica])
        return status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, [(s, r) for s in senders for r in (0, 1)]))
    assert statuses == [200] * 20
    for sender in senders:
        events = stored(cluster, sender)
        assert sorted(user_texts(events)) == sorted(TURNS[1:3]), sender
        # The second turn began only after the first had finished (action_listen).
        kinds = [kind for kind, _ in events]
        second = [i for i, kind in enumerate(kinds) if kind == "user"][1]
        assert kinds[second - 1] == "action", (sender, kinds)
        assert events[second - 1][1]["name"] == "action_listen", (sender, kinds)


def test_the_rate_limit_counts_messages_to_both_replicas(cluster, replicas):
    sender = f"klynge-travl-{time.time_ns()}"
    statuses = [post(replicas[n % 2], sender, "hej")[0] for n in range(RATE_LIMIT + 1)]
    assert statuses == [200] * RATE_LIMIT + [429]


def test_stopped_action_server_gives_the_fallback_on_both_replicas(cluster, replicas):
    sender = f"klynge-handling-{time.time_ns()}"
    cluster.action_server.stop()
    try:
        for replica in replicas:
            status, messages = post(replica, sender, "hvornår har tandplejen åbent?")
            assert status == 200, messages
            assert "Beklager" in texts(messages) and CENTRE_CHIEF_PHONE in texts(messages)
    finally:
        cluster.action_server.start(cluster.env)
        cluster.action_server.wait()
    status, messages = post(replicas[0], sender, "hvornår har tandplejen åbent?")
    assert status == 200 and "Beklager" not in texts(messages)
    assert any((m.get("custom") or {}).get("source") for m in messages), messages


def test_postgresql_restart_gives_a_visible_error_then_the_conversation_continues(
        cluster, replicas):
    assert cluster.postgres is not None
    pids = [replica.process.pid for replica in cluster.rasa if replica.process]
    sender = f"klynge-pg-{time.time_ns()}"
    status, messages = post(replicas[0], sender, "kan I ringe mig op?")
    assert "Hvad vil du gerne tale med kommunen om?" in texts(messages)
    before = stored(cluster, sender)

    cluster.postgres.stop()
    try:
        for replica in replicas:
            status, body = post(replica, sender, "Min søn græder hver morgen før skole")
            # The web chat shows `error` with a "try again" button (web/chat).
            assert status == 503 and body == {"error": STORE_ERROR}, (status, body)
    finally:
        cluster.postgres.start()

    status, messages = post(replicas[1], sender, "Min søn græder hver morgen før skole")
    assert status == 200 and "Hvad hedder du?" in texts(messages), messages  # form kept
    after = stored(cluster, sender)
    assert after[:len(before)] == before
    assert user_texts(after) == ["kan I ringe mig op?", "Min søn græder hver morgen før skole"]
    assert [r.process.pid for r in cluster.rasa if r.process] == pids  # no restart
    assert all(replica.running for replica in cluster.rasa)


def test_the_web_chat_shows_the_store_outage_and_its_retry_works(cluster, replicas):
    # Headless Chromium on the demo page, whose widget talks to replica 1.
    from playwright.sync_api import expect, sync_playwright

    assert cluster.postgres is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), headless=True,
            args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="da-DK")
            page.set_default_timeout(30_000)
            page.goto(cluster.web_url)
            page.locator(".hk-chat__launcher").click()
            page.locator("#hk-chat-input").fill("hvornår har tandplejen åbent?")
            cluster.postgres.stop()
            try:
                page.keyboard.press("Enter")
                expect(page.locator(".hk-msg--error")).to_contain_text(STORE_ERROR)
            finally:
                cluster.postgres.start()
            page.get_by_role("button", name="Prøv igen").click()
            expect(page.locator(".hk-msg--bot").first).to_contain_text("tandpleje")
            assert page.locator(".hk-msg--error").count() == 0
            assert page.locator(".hk-msg--user").count() == 1
        finally:
            browser.close()


def test_redis_down_gives_a_visible_error_and_the_conversation_resumes_when_it_returns(
        cluster, replicas):
    assert cluster.redis is not None
    sender = f"klynge-redis-{time.time_ns()}"
    status, messages = post(replicas[0], sender, "kan I ringe mig op?")
    assert status == 200 and "Hvad vil du gerne tale med kommunen om?" in texts(messages)
    cluster.redis.stop()
    try:
        status, body = post(replicas[1], sender, "Min søn græder hver morgen før skole")
        assert status == 503 and body == {"error": STORE_ERROR}, (status, body)
    finally:
        cluster.redis.start()
    status, messages = post(replicas[1], sender, "Min søn græder hver morgen før skole")
    assert status == 200 and "Hvad hedder du?" in texts(messages), messages
    # The other replica's pooled connections broke with the restart: the next message works.
    status, messages = post(replicas[0], sender, "Mette Hansen")
    assert status == 200 and "telefonnummer eller hvilken mailadresse" in texts(messages)


def test_reload_swaps_the_model_on_every_replica(cluster, replicas, tmp_path):
    # A copy of the running model under a new name: good enough by definition, so the
    # command must score both, swap both, and both must then report the copy.
    running = cluster.model or newest_model()
    copy = tmp_path / "herning-replika-kopi.tar.gz"
    shutil.copyfile(running, copy)
    done = subprocess.run(
        [str(VENV_PYTHON), "-m", "bot.cli", "reload", "--model", str(copy),
         "--url", replicas[0], "--url", replicas[1]],
        cwd=PROJECT_ROOT, env=cluster.env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "alle servere svarer nu med herning-replika-kopi.tar.gz" in done.stdout
    assert done.stdout.count("Måler den kørende model") == 1  # one model, scored once
    for replica in replicas:
        assert RasaApi(replica, API_SECRET).status()["model_file"].endswith(copy.name)
    status, messages = post(replicas[1], f"klynge-ny-model-{time.time_ns()}",
                            "hvornår har tandplejen åbent?")
    assert status == 200 and "tandpleje" in texts(messages).lower()


def test_a_replica_killed_mid_run_loses_nothing_and_the_other_carries_on(cluster, replicas):
    senders = [f"klynge-drab-{n:02d}-{time.time_ns()}" for n in range(20)]
    answered = threading.Semaphore(0)
    interrupted: Dict[str, List[str]] = defaultdict(list)
    bots_seen: Dict[str, int] = defaultdict(int)

    def send(number: int, turn: int, text: str) -> List[Dict[str, Any]]:
        sender = senders[number]
        first = (number + turn) % 2
        try:
            status, messages = post(replicas[first], sender, text)
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            # What a load balancer does when a replica stops answering: the other one.
            interrupted[sender].append(text)
            status, messages = post(replicas[1 - first], sender, text,
                                    timeout=LOCK_LIFETIME + 60)
        assert status == 200 and messages, (sender, turn, status, messages)
        return messages

    def converse(number: int) -> None:
        for turn in range(6):
            text = TURNS[(number + turn) % len(TURNS)]
            bots_seen[senders[number]] += len(send(number, turn, text))
            answered.release()

    with ThreadPoolExecutor(max_workers=20) as pool:
        running = [pool.submit(converse, n) for n in range(20)]
        for _ in range(40):  # a third of the 120 messages answered, then kill replica 2
            assert answered.acquire(timeout=300)
        cluster.rasa[1].stop(kill=True)
        for future in running:
            future.result()

    assert cluster.rasa[0].running and not cluster.rasa[1].running
    for number, sender in enumerate(senders):
        events = stored(cluster, sender)
        sent = [TURNS[(number + turn) % len(TURNS)] for turn in range(6)]
        got = user_texts(events)
        # Every message is stored, in order. A message the killed replica had already
        # stored when it died (before answering) may be there twice, never more.
        deduplicated = [text for i, text in enumerate(got)
                        if not (i and text == got[i - 1] and text in interrupted[sender])]
        assert deduplicated == sent, (sender, got, interrupted[sender])
        assert len(got) - len(sent) <= len(interrupted[sender])
    assert sum(len(texts) for texts in interrupted.values()) >= 1  # the kill hit something
