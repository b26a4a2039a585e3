"""Simulated parents for the load benchmark (Locust; run by benchmarks/run_load.py).

Each simulated parent has one conversation after another: a question with a follow-up,
a question about a person and when to call, or the callback form from the first
message to "ja". Between messages the parent reads and types (THINK_SECONDS). Each
message goes to the next Rasa replica in BOT_REPLICAS in turn, as a load balancer
without sticky sessions sends them. A reply that is not HTTP 200 with at least one bot
message counts as a failure. The phrasings are written for the benchmark, not taken
from the evaluation questions.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from typing import List, Tuple

from locust import HttpUser, between, task

REPLICAS = os.environ.get("BOT_REPLICAS", "http://127.0.0.1:5005").split()
THINK = tuple(float(x) for x in os.environ.get("THINK_SECONDS", "1 3").split())

QUESTION = [
    ("hej", "hilsen"),
    ("hvad gør I, hvis jeg er bekymret for mit barn?", "spørgsmål"),
    ("hvordan kan tandplejen hjælpe?", "spørgsmål"),
    ("tak", "afslutning"),
]
PERSON = [
    ("jeg vil gerne tale med en leder", "person"),
    ("hvornår kan jeg ringe?", "spørgsmål"),
    ("hvad er en forebyggende indsats?", "spørgsmål"),
]
CALLBACK = [
    ("kan nogen ringe mig op?", "formular"),
    ("Vores søn vil ikke i skole og sover dårligt", "formular"),
    ("Lene Jensen", "formular"),
    ("22 44 66 88", "formular"),
    ("ja", "formular"),
]
SCRIPTS: List[Tuple[int, List[Tuple[str, str]]]] = [(5, QUESTION), (3, PERSON), (2, CALLBACK)]


class Parent(HttpUser):
    host = REPLICAS[0]
    wait_time = between(*THINK) if len(THINK) == 2 else between(1, 3)

    def on_start(self) -> None:
        self.replicas = itertools.cycle(random.sample(REPLICAS, len(REPLICAS)))

    @task
    def conversation(self) -> None:
        script = random.choices([s for _, s in SCRIPTS], [w for w, _ in SCRIPTS])[0]
        sender = f"belastning-{uuid.uuid4().hex}"
        for number, (text, kind) in enumerate(script):
            if number:
                self.wait()  # reading the answer, typing the next message
            url = f"{next(self.replicas)}/webhooks/rest/webhook"
            with self.client.post(url, json={"sender": sender, "message": text}, name=kind,
                                  timeout=60, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                elif not response.json():
                    response.failure("no reply")
