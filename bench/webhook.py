"""Webhook benchmark: N customers each send 4 signed messages, 16 at a time, each waiting
for the bot's reply as a person would, against a loopback fake Graph API.

Measures Barta (`python app.py serve`) and, in the same run, a floor: a minimal Flask app
on the same WSGI server (waitress) that only checks the signature, stores the event in
SQLite (WAL) and sends one echo reply from a background thread (bench/floor_app.py).

    .venv/bin/python bench/webhook.py --customers 300 --rounds 3

Reports messages/s and p50/p99 latency from POST to the first reply of that message.

On PostgreSQL, with several Barta processes sharing it (a customer's turns go to them in
turn, as a load balancer would send them):

    .venv/bin/python bench/webhook.py --db postgresql://barta@127.0.0.1:5432/bench --servers 3
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_graph import FakeGraph  # noqa: E402

SECRET = "bench-secret"
TOKEN = "bench-token"
FLOWS = ROOT / "tests" / "flows" / "conversation.yaml"
# What a customer types, and how many messages Barta sends back to each (welcome, price
# answer and first question in one message; the budget question; the phone question;
# the handoff).
TURNS = [("দাম কত?", 1), ("শাড়ি", 1), ("৫০০০ টাকা", 1), ("01711223344", 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_up(url: str, proc: subprocess.Popen) -> None:
    for _ in range(200):
        try:
            if requests.get(url, timeout=0.5).ok:
                return
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


class Counter:
    """Counts replies per customer as the fake Graph API receives them."""

    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph

    def count(self, psid: str) -> int:
        return len(self.graph.arrivals.get(psid, ()))

    def first_after(self, psid: str, n: int) -> float | None:
        got = self.graph.arrivals.get(psid, [])
        return got[n] if len(got) > n else None


_RUN = itertools.count()  # customers of each run are new ones (a shared database keeps them)


def run_customers(
    ports: list[int], graph: FakeGraph, customers: int, concurrency: int, floor: bool
):
    counter = Counter(graph)
    session_local = threading.local()
    latencies: list[float] = []
    lock = threading.Lock()
    run = next(_RUN)

    def customer(i: int) -> None:
        s = getattr(session_local, "s", None) or requests.Session()
        session_local.s = s
        psid = f"bench{os.getpid()}r{run}{i:06d}{'f' if floor else 'b'}"
        seen = 0
        for turn, (text, replies) in enumerate(TURNS):
            expect = 1 if floor else replies
            url = f"http://127.0.0.1:{ports[(i + turn) % len(ports)]}/webhook"
            event = {
                "sender": {"id": psid}, "recipient": {"id": "105511223344556"},
                "timestamp": int(time.time() * 1000),
                "message": {"mid": f"m_{psid}_{turn}", "text": text},
            }  # fmt: skip
            raw = json.dumps(
                {"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [event]}]}
            ).encode()
            sig = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
            t0 = time.time()
            r = s.post(
                url,
                data=raw,
                headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"},
                timeout=10,
            )
            r.raise_for_status()
            target = seen + expect
            graph.wait_for(lambda t=target: counter.count(psid) >= t, timeout=30)
            first = counter.first_after(psid, seen)
            if first is None:
                raise RuntimeError(f"no reply for {psid} turn {turn}")
            with lock:
                latencies.append(first - t0)
            seen += expect

    t0 = time.time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(customer, range(customers)))
    elapsed = time.time() - t0
    return len(latencies) / elapsed, latencies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(
    name: str,
    cmd_for,
    customers: int,
    concurrency: int,
    floor: bool,
    keep: str | None = None,
    db: str | None = None,
    servers: int = 1,
) -> dict:
    graph = FakeGraph(token=TOKEN)
    ports = [free_port() for _ in range(servers)]
    with tempfile.TemporaryDirectory() as tmp:
        procs = [subprocess.Popen(cmd_for(port, graph.url, tmp), cwd=ROOT, env=os.environ | {
            "BOT_DB": db or os.path.join(tmp, "bot.db"), "BOT_FLOWS": str(FLOWS),
            "MESSENGER_APP_SECRET": SECRET, "MESSENGER_PAGE_TOKEN": TOKEN,
            "MESSENGER_VERIFY_TOKEN": "v", "GRAPH_API_URL": graph.url, "SECRET_KEY": "bench",
        }, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]  # fmt: skip
        try:
            for port, proc in zip(ports, procs, strict=True):
                wait_up(f"http://127.0.0.1:{port}/healthz", proc)
            cpu0, own0 = sum(cpu_seconds(p.pid) for p in procs), time.process_time()
            rate, lat = run_customers(ports, graph, customers, concurrency, floor)
            server_cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
            harness_cpu = time.process_time() - own0
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(10)
            graph.stop()
            if keep:
                os.makedirs(keep, exist_ok=True)
                for f in os.listdir(tmp):
                    if ".db" in f:
                        shutil.copy(os.path.join(tmp, f), os.path.join(keep, f))
    out = {
        "name": name, "servers": servers, "messages": len(lat), "msg_per_s": round(rate, 1),
        "p50_ms": round(pct(lat, 50) * 1000, 1), "p99_ms": round(pct(lat, 99) * 1000, 1),
        "mean_ms": round(statistics.mean(lat) * 1000, 1),
        "server_cpu_ms_per_msg": round(server_cpu / len(lat) * 1000, 2),
        "harness_cpu_ms_per_msg": round(harness_cpu / len(lat) * 1000, 2),
        "send_api_calls": sum(len(v) for v in graph.arrivals.values()),
    }  # fmt: skip
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--rounds", type=int, default=3, help="floor/Barta pairs, alternating")
    p.add_argument("--keep", metavar="DIR", help="copy both databases here for a look afterwards")
    p.add_argument("--db", help="Barta's BOT_DB, e.g. postgresql://…; default a fresh SQLite file")
    p.add_argument("--servers", type=int, default=1, help="Barta processes (PostgreSQL only)")
    a = p.parse_args()
    if a.servers > 1 and not (a.db or "").startswith("postgres"):
        p.error("several servers share a PostgreSQL database: give --db postgresql://…")
    floor_cmd = lambda port, graph, tmp: [  # noqa: E731
        sys.executable, "bench/floor_app.py", "--port", str(port),
        "--db", os.path.join(tmp, "floor.db"), "--graph", graph,
        "--secret", SECRET, "--token", TOKEN,
    ]  # fmt: skip
    barta_cmd = lambda port, graph, tmp: [  # noqa: E731
        sys.executable, "app.py", "serve", "--port", str(port)
    ]  # fmt: skip
    # Rounds alternate floor and Barta so a busy moment of the machine hurts both alike;
    # the ratios are of the medians over the rounds.
    floors, bartas = [], []
    for _ in range(a.rounds):
        floors.append(measure("floor", floor_cmd, a.customers, a.concurrency, True, a.keep))
        bartas.append(
            measure("barta", barta_cmd, a.customers, a.concurrency, False, a.keep, a.db, a.servers)
        )

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    for name, runs in (("floor", floors), ("barta", bartas)):
        print(
            f"{name}: median of {len(runs)} rounds {med(runs, 'msg_per_s'):.1f} msg/s, "
            f"p50 {med(runs, 'p50_ms'):.1f} ms, p99 {med(runs, 'p99_ms'):.1f} ms, "
            f"server CPU {med(runs, 'server_cpu_ms_per_msg'):.2f} ms/msg"
        )
    ratio = med(bartas, "msg_per_s") / med(floors, "msg_per_s")
    p99 = med(bartas, "p99_ms") / med(floors, "p99_ms")
    print(f"throughput ratio barta/floor = {ratio:.2f} (target ≥ 0.80)")
    print(f"p99 ratio barta/floor = {p99:.2f} (target ≤ 1.50)")


if __name__ == "__main__":
    main()
