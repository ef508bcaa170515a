"""Engine benchmark: messages/s through the engine and the store alone (no HTTP), on a
database already holding many conversations, and the process's resident memory.

    .venv/bin/python bench/engine.py --stored 100000 --customers 2000

On PostgreSQL (``--db`` names a server the user may create databases on; each run gets a
fresh database there, dropped afterwards):

    .venv/bin/python bench/engine.py --db postgresql://barta@127.0.0.1:5432/postgres

Each customer plays the four turns of tests/flows/conversation.yaml (price question,
a choice, a budget, a phone number → qualified and handed off). Each turn's events are put
in the inbox first; the timed part is the engine loop: one BEGIN IMMEDIATE transaction per
conversation, reading the conversation, deciding, writing the log, stage, queue and
outbox rows. Target: ≥ 5,000 messages/s on one core, memory flat in the stored count.

``--pages N`` adds N Pages (bot.pages), each with its own copy of the flows file, and
spreads the customers over them: the cost of handing each conversation to its Page's
Engine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.book.compiler import load_book  # noqa: E402
from bot.conversation.engine import Engine  # noqa: E402
from bot.messenger.events import Event  # noqa: E402
from store import inbox  # noqa: E402
from store.db import connect, migrate  # noqa: E402

FLOWS = ROOT / "tests" / "flows" / "conversation.yaml"
TURNS = ["দাম কত?", "শাড়ি", "৫০০০ টাকা", "01711223344"]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fill(db, n: int) -> None:
    """n finished conversations with a few messages each, written in bulk."""
    now = time.time() - 86400
    answers = json.dumps({"need": "saree", "budget": 3000, "phone": "01711223344"})
    batch = 10_000
    for start in range(0, n, batch):
        rows = [
            (f"stored{i:09d}", "bn", answers, 35, "proposal", now, now, now)
            for i in range(start, min(n, start + batch))
        ]
        db.conn.executemany(
            "INSERT INTO conversations (psid, language, answers, score, stage, created_at, "
            "updated_at, last_customer_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.conn.execute(
            "INSERT INTO messages (conversation_id, direction, sender, text, at) "
            "SELECT id, 'in', 'customer', 'দাম কত?', ? FROM conversations WHERE id > ?",
            (now, start),
        )
        db.conn.commit()


@contextmanager
def database(server: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL ``server``."""
    if not server:
        with tempfile.TemporaryDirectory() as tmp:
            yield os.path.join(tmp, "bench.db")
        return
    import psycopg

    name = f"barta_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield server.rsplit("/", 1)[0] + "/" + name
        finally:
            from store.dialect import close_pools

            close_pools()
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def with_pages(db, book, n: int, folder: str) -> Engine:
    """The default Engine, routing to ``n`` Pages that each have a copy of the flows."""
    from bot.pages import Pages
    from store import pages

    text = FLOWS.read_text("utf-8")
    for i in range(n):
        Path(folder, f"page{i}.yaml").write_text(text, "utf-8")
        pages.add(db, page_id(i), time.time(), token=f"EAAbench{i}", flows=f"page{i}.yaml")
    registry = Pages({"BOT_FLOWS": str(Path(folder, "flows.yaml"))}, book, make_engine=Engine)
    registry.refresh(db, tests=False)
    for engine in registry.engines():
        engine.pages = registry
    return registry.default_engine


def page_id(i: int) -> str:
    return f"1055{i:011d}"


def run(stored: int, customers: int, server: str | None = None, n_pages: int = 0) -> dict:
    book, problems = load_book(str(FLOWS))
    assert book is not None, problems
    with database(server) as path, tempfile.TemporaryDirectory() as folder:
        db = connect(path)
        migrate(db)
        fill(db, stored)
        engine = with_pages(db, book, n_pages, folder) if n_pages else Engine(book)
        # Turn by turn, like real traffic: every customer's next message arrives, then the
        # engine handles them, one transaction per message. Only the engine loop is timed.
        ts = int(time.time() * 1000)
        gc.collect()
        before = rss_mb()
        wall = cpu = 0.0
        handled = messages = 0
        for turn, text in enumerate(TURNS):
            rows = []
            for c in range(customers):
                ev = Event(
                    kind="message", psid=f"cust{c:07d}", text=text, mid=f"m{c}_{turn}",
                    timestamp=ts, page_id=page_id(c % n_pages) if n_pages else "",
                )  # fmt: skip
                rows.append((ev.key(), ev.psid, ev.kind, ev.to_json()))
            for i in range(0, len(rows), 5000):
                inbox.add(db, rows[i : i + 5000], time.time())
            messages += len(rows)
            cpu0, t0 = time.process_time(), time.perf_counter()
            while engine.process_next(db):
                handled += 1
            wall += time.perf_counter() - t0
            cpu += time.process_time() - cpu0
        after = rss_mb()
        done = db.execute("SELECT count(*) FROM inbox WHERE status = 'done'").fetchone()[0]
        queued = db.execute("SELECT count(*) FROM queue").fetchone()[0]
        replies = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        paged = db.execute("SELECT count(*) FROM outbox WHERE page_id <> ''").fetchone()[0]
        db.conn.close()
    assert done == messages, (done, messages)
    assert paged == (replies if n_pages else 0), (paged, replies)  # each reply has its Page
    return {
        "pages": n_pages,
        "stored_conversations": stored,
        "messages": messages,
        "transactions": handled,
        "msg_per_s": round(messages / wall),
        "us_per_msg": round(wall / messages * 1e6, 1),
        "cpu_us_per_msg": round(cpu / messages * 1e6, 1),
        "replies": replies,
        "handoffs": queued,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stored", type=int, default=100_000)
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--compare", type=int, default=1000, help="also run on this few stored")
    p.add_argument("--db", help="a PostgreSQL server URL (postgresql://…); default SQLite")
    p.add_argument("--pages", type=int, default=0, help="spread the customers over N Pages")
    a = p.parse_args()
    small = run(a.compare, a.customers, a.db, a.pages)
    print(json.dumps(small))
    big = run(a.stored, a.customers, a.db, a.pages)
    print(json.dumps(big))
    print(
        f"{big['msg_per_s']} messages/s with {a.stored:,} stored conversations "
        f"({small['msg_per_s']} with {a.compare:,}); RSS {big['rss_after_mb']} MB vs "
        f"{small['rss_after_mb']} MB"
    )


if __name__ == "__main__":
    main()
