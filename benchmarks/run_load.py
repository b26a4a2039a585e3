"""Load benchmark: simulated parents against a real local deployment, with Locust.

    python -m benchmarks.run_load --setup sqlite    # one Rasa server, the defaults
    python -m benchmarks.run_load --setup cluster   # two replicas, PostgreSQL + Redis
    python -m benchmarks.run_load --setup cluster --minutes 10 --name soak

Starts the deployment (tests/support/cluster.py: real PostgreSQL, Redis, action server,
Rasa replicas, an SMTP catcher), runs Locust headless with benchmarks/locustfile.py
(USERS simulated parents, several turns each, the callback form included), samples the
resident memory of every Rasa replica and the action server every 10 seconds, and
prints and saves (var/bench/<name>.json) throughput, p50/p95/p99 latency, failures and
memory. A benchmark, not a test: it asserts nothing; `make bench-load` runs both setups.

Locust runs from its own virtualenv (.venv-bench, Python 3.11: `make bench-load`
creates it) so that its gevent stack stays out of Rasa's pinned environment.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

from bot.settings import PROJECT_ROOT
from tests.support.cluster import LocalCluster

LOCUST = PROJECT_ROOT / ".venv-bench" / "bin" / "locust"
RESULTS = PROJECT_ROOT / "var" / "bench"


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine() -> str:
    model = next((line.split(":", 1)[1].strip()
                  for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text()
                          .splitlines() if line.startswith("MemTotal")))
    return f"{os.cpu_count()} cores ({model}), {memory_kib / 1024 / 1024:.0f} GiB RAM"


class MemorySampler(threading.Thread):
    def __init__(self, processes: Dict[str, int], every: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.processes, self.every = processes, every
        self.samples: List[Dict[str, float]] = []
        self.done = threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        while not self.done.is_set():
            sample = {"t": round(time.monotonic() - self.started, 1)}
            sample.update({name: round(rss_mib(pid), 1) for name, pid in self.processes.items()})
            self.samples.append(sample)
            self.done.wait(self.every)


def warm_up(urls: List[str]) -> None:
    for url in urls:
        body = json.dumps({"sender": f"opvarmning-{time.time_ns()}", "message": "hej"})
        request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()


def aggregated(prefix: Path) -> Dict[str, Any]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "messages_per_second": round(float(total["Requests/s"]), 2),
        "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]), "max_ms": round(float(total["Max Response Time"])),
        "by_kind": {name: {"requests": int(row["Request Count"]), "p95_ms": float(row["95%"])}
                    for name, row in rows.items() if name != "Aggregated"},
    }


def memory_summary(samples: List[Dict[str, float]], names: List[str]) -> Dict[str, Any]:
    summary: Dict[str, Any] = {}
    for name in names:
        values = [s[name] for s in samples if s.get(name)]
        if not values:
            continue
        third = max(1, len(values) // 3)
        summary[name] = {
            "first_mib": values[0], "max_mib": max(values), "last_mib": values[-1],
            # Mean of the last third minus the mean of the second third: growth at
            # steady load, after the caches and pools have filled.
            "late_growth_mib": round(sum(values[-third:]) / third
                                     - sum(values[third:2 * third]) / third, 1),
        }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=("sqlite", "cluster"), default="cluster")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--think", default="1 3", help="seconds between a parent's messages")
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    if not LOCUST.exists():
        print(f"Locust is missing: run `make bench-load` (it creates {LOCUST.parent.parent}).",
              file=sys.stderr)
        return 2
    name = args.name or args.setup
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"herning-bench-{name}-"))
    shared = args.setup == "cluster"
    cluster = LocalCluster(workdir, replicas=2 if shared else 1, shared=shared)
    print(f"Starting {'two replicas on PostgreSQL + Redis' if shared else 'one server on SQLite'}"
          f" in {workdir} ...", flush=True)
    cluster.start()
    try:
        warm_up(cluster.urls)
        processes = {replica.name: replica.process.pid for replica in cluster.rasa
                     if replica.process}
        if cluster.action_server.process:
            processes["action-server"] = cluster.action_server.process.pid
        sampler = MemorySampler(processes)
        sampler.start()
        prefix = workdir / "locust"
        seconds = int(args.minutes * 60)
        print(f"Locust: {args.users} parents for {seconds} s, think time {args.think} s ...",
              flush=True)
        subprocess.run(
            [str(LOCUST), "-f", str(PROJECT_ROOT / "benchmarks" / "locustfile.py"),
             "--headless", "--users", str(args.users), "--spawn-rate", "10",
             "--run-time", f"{seconds}s", "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING"],
            env={**os.environ, "BOT_REPLICAS": " ".join(cluster.urls),
                 "THINK_SECONDS": args.think},
            cwd=PROJECT_ROOT, check=False)
        sampler.done.set()
        sampler.join()
        result = {
            "name": name, "setup": args.setup, "users": args.users, "seconds": seconds,
            "think_seconds": args.think, "machine": machine(),
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            **aggregated(prefix),
            "memory": memory_summary(sampler.samples, list(processes)),
            "memory_samples": sampler.samples,
        }
    finally:
        cluster.stop()
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "memory_samples"},
                     indent=2, ensure_ascii=False))
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
