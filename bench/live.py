"""Live updates against the webhook: does a workspace left open in 50 tabs starve Meta's
POSTs? Barta (`python app.py serve`, waitress, 8 threads) on 127.0.0.1 with a fake Graph
API; customers write one at a time, each waiting for the bot's reply; meanwhile N "tabs"
(threads with a signed-in session) poll /staff/live.json every 1.5 s as live.js does, half
of them on a conversation page. Everything is bounded in time.

    .venv/bin/python bench/live.py --tabs 50 --messages 60

Reports, without and then with the tabs: the webhook POST's own latency and the time from
POST to the bot's reply (p50/p99); with the tabs, the poll's latency and how long a
customer message took to show in a tab that has that conversation open.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhook import FLOWS, SECRET, TOKEN, Counter, free_port, pct, wait_up  # noqa: E402
from store import db as store_db  # noqa: E402
from store import staff as accounts  # noqa: E402
from tests.fake_graph import FakeGraph  # noqa: E402

PASSWORD = "bench password 1"
INTERVAL = 1.5  # as LIVE_INTERVAL in bot/staff/queue_pages.py


def signed(psid: str, n: str, text: str) -> tuple[bytes, dict[str, str]]:
    event = {
        "sender": {"id": psid}, "recipient": {"id": "105511223344556"},
        "timestamp": int(time.time() * 1000), "message": {"mid": f"m_{psid}_{n}", "text": text},
    }  # fmt: skip
    raw = json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [event]}]})
    body = raw.encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": sig, "Content-Type": "application/json"}


def login(base: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{base}/staff/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    r = s.post(
        f"{base}/staff/login",
        data={"csrf_token": token.group(1), "name": "bench", "password": PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert r.status_code == 302, f"login failed: {r.status_code}"
    return s


class Tabs:
    """N signed-in tabs polling like live.js; records poll latencies and when each tab
    first saw a message id (to time arrivals in open conversations)."""

    def __init__(self, base: str, n: int, cids: list[int]) -> None:
        self.base, self.n, self.cids = base, n, cids
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.seen: dict[int, float] = {}  # message id -> first time any tab drew it
        self.errors = 0
        self.ready = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.tab, args=(i,), daemon=True) for i in range(n)]

    def tab(self, i: int) -> None:
        s = login(self.base)
        with self.lock:
            self.ready += 1
        cid = self.cids[i % len(self.cids)] if i % 2 == 0 and self.cids else None
        handoff, last = 0, 0
        time.sleep(INTERVAL * i / self.n)  # tabs opened at different moments
        while not self.stop.is_set():
            q = f"?h={handoff}"
            if cid and last:
                q += f"&c={cid}&m={last}&seen=0"
            t0 = time.time()
            try:
                data = s.get(f"{self.base}/staff/live.json{q}", timeout=10).json()
            except (requests.RequestException, ValueError):
                with self.lock:
                    self.errors += 1
                continue
            t1 = time.time()
            handoff = data["handoff"]
            with self.lock:
                self.latencies.append(t1 - t0)
                if cid and data.get("last"):
                    for mid in range(last + 1, data["last"] + 1):
                        self.seen.setdefault(mid, t1)
            if cid:  # a page starts at its newest message, then follows its own
                last = data.get("last") or last or data["message"]
            self.stop.wait(INTERVAL)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(15)


def customers(base: str, graph: FakeGraph, messages: int, tag: str, db=None, tabs=None) -> dict:
    """One customer message at a time (a customer writes two), POST to reply; with
    ``tabs``, also when a tab showing that conversation drew the message."""
    counter = Counter(graph)
    s = requests.Session()
    post_ms, reply_ms, sent = [], [], []
    for n in range(messages):
        # each customer writes twice before the tabs open and twice with them open
        psid = f"live{n // 2:05d}"
        turn = n % 2 + (2 if tag == "b" else 0)
        body, headers = signed(psid, f"{tag}{n}", ["দাম কত?", "শাড়ি", "৫০০০ টাকা", "01711223344"][turn])
        before = counter.count(psid)
        t0 = time.time()
        r = s.post(f"{base}/webhook", data=body, headers=headers, timeout=10)
        t1 = time.time()
        r.raise_for_status()
        graph.wait_for(lambda p=psid, b=before: counter.count(p) > b, timeout=30)
        first = counter.first_after(psid, before)
        post_ms.append((t1 - t0) * 1000)
        reply_ms.append(((first or time.time()) - t0) * 1000)
        sent.append((f"m_{psid}_{tag}{n}", t0))
        time.sleep(0.05)
    shown_ms = []
    if tabs is not None and db is not None:
        time.sleep(INTERVAL * 2)  # the last arrivals
        for mid, t0 in sent:
            row = db.conn.execute("SELECT id FROM messages WHERE mid = ?", (mid,)).fetchone()
            at = tabs.seen.get(row[0]) if row else None
            if at is not None:
                shown_ms.append((at - t0) * 1000)
    return {
        "messages": messages,
        "post_p50_ms": round(pct(post_ms, 50), 1), "post_p99_ms": round(pct(post_ms, 99), 1),
        "reply_p50_ms": round(pct(reply_ms, 50), 1), "reply_p99_ms": round(pct(reply_ms, 99), 1),
        **({
            "shown_in_open_tab": len(shown_ms),
            "shown_p50_ms": round(pct(shown_ms, 50), 1), "shown_max_ms": round(max(shown_ms), 1),
        } if shown_ms else {}),
    }  # fmt: skip


def main() -> None:
    import faulthandler

    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_DUMP", "1e9")))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tabs", type=int, default=50)
    p.add_argument("--messages", type=int, default=60)
    p.add_argument("--threads", type=int, default=8, help="waitress threads (serve --threads)")
    a = p.parse_args()
    graph = FakeGraph(token=TOKEN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        dbpath = os.path.join(tmp, "bot.db")
        env = os.environ | {
            "BOT_DB": dbpath, "BOT_FLOWS": str(FLOWS), "MESSENGER_APP_SECRET": SECRET,
            "MESSENGER_PAGE_TOKEN": TOKEN, "MESSENGER_VERIFY_TOKEN": "v",
            "GRAPH_API_URL": graph.url, "SECRET_KEY": "bench",
        }  # fmt: skip
        cmd = [sys.executable, "app.py", "serve", "--port", str(port), "--threads", str(a.threads)]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_up(f"{base}/healthz", proc)
            db = store_db.connect(dbpath)
            accounts.create(db, "bench", "owner", PASSWORD, time.time())
            quiet = customers(base, graph, a.messages, "a")
            print(json.dumps({"tabs": 0, **quiet}), flush=True)
            cids = [r[0] for r in db.conn.execute("SELECT id FROM conversations").fetchall()]
            tabs = Tabs(base, a.tabs, cids)
            tabs.start()
            while tabs.ready < a.tabs:  # signing in hashes a password: not part of the test
                time.sleep(0.2)
            time.sleep(INTERVAL * 2)  # every tab polling
            tabs.latencies.clear()
            busy = customers(base, graph, a.messages, "b", db, tabs)
            tabs.close()
            lat = tabs.latencies
            print(
                json.dumps(
                    {
                        "tabs": a.tabs,
                        **busy,
                        "polls": len(lat),
                        "poll_errors": tabs.errors,
                        "poll_p50_ms": round(pct(lat, 50) * 1000, 1),
                        "poll_p99_ms": round(pct(lat, 99) * 1000, 1),
                    }  # fmt: skip
                ),
                flush=True,
            )
        finally:
            proc.terminate()
            proc.wait(10)
            graph.stop()


if __name__ == "__main__":
    main()
