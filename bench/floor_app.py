"""The floor for bench/webhook.py: the least a Messenger webhook can do on the same server.

It checks the signature, stores each event in SQLite (WAL) and sends one echo reply from
a background thread — no engine, no outbox, no retries.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import queue
import sqlite3
import threading

import requests
from flask import Flask, request
from waitress import serve


def create_app(db_path: str, graph_url: str, secret: str, token: str) -> Flask:
    app = Flask(__name__)
    work: queue.Queue = queue.Queue()
    local = threading.local()
    setup = sqlite3.connect(db_path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute(
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, mid TEXT UNIQUE, body TEXT)"
    )
    setup.close()

    def conn() -> sqlite3.Connection:
        c = getattr(local, "conn", None)
        if c is None:
            c = local.conn = sqlite3.connect(db_path, timeout=10)
            c.execute("PRAGMA synchronous=NORMAL")
        return c

    @app.post("/webhook")
    def webhook():
        raw = request.get_data()
        sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, request.headers.get("X-Hub-Signature-256", "")):
            return "Forbidden", 403
        body = json.loads(raw)
        c = conn()
        c.execute("BEGIN IMMEDIATE")
        events = []
        for entry in body["entry"]:
            for ev in entry["messaging"]:
                c.execute(
                    "INSERT OR IGNORE INTO events (mid, body) VALUES (?, ?)",
                    (ev["message"]["mid"], json.dumps(ev)),
                )
                events.append((ev["sender"]["id"], ev["message"]["text"]))
        c.commit()
        for e in events:
            work.put(e)
        return "EVENT_RECEIVED"

    def sender() -> None:
        session = requests.Session()
        while True:
            psid, text = work.get()
            session.post(
                f"{graph_url}/me/messages",
                params={"access_token": token},
                json={
                    "recipient": {"id": psid},
                    "messaging_type": "RESPONSE",
                    "message": {"text": text},
                },
                timeout=(3.05, 10),
            )

    threading.Thread(target=sender, daemon=True).start()

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--graph", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--threads", type=int, default=8)
    a = p.parse_args()
    serve(create_app(a.db, a.graph, a.secret, a.token), host="127.0.0.1", port=a.port,
          threads=a.threads, _quiet=True)  # fmt: skip
