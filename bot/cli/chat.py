"""``python app.py chat``: a customer's side of the conversation, in the terminal."""

from __future__ import annotations

import itertools
import json
import time

import click

from bot.app import create_app
from bot.messenger import policy
from bot.messenger.events import Event
from store import conversations, inbox
from store.db import write_tx

PSID = "chat:terminal"


def _show(db, after_id: int) -> tuple[int, list[tuple[str, str]]]:
    """Print the bot's replies after outbox row ``after_id``; return the quick replies."""
    rows = db.execute(
        "SELECT id, body FROM outbox WHERE psid = ? AND id > ? ORDER BY id", (PSID, after_id)
    ).fetchall()
    quick: list[tuple[str, str]] = []
    for row_id, body in rows:
        after_id = row_id
        msg = json.loads(body).get("message", {})
        if "text" in msg:
            click.secho(f"bot › {msg['text']}", fg="cyan")
        attachment = msg.get("attachment") or {}
        payload = attachment.get("payload") or {}
        if payload.get("template_type") == "button":
            click.secho(f"bot › {payload['text']}", fg="cyan")
            for b in payload["buttons"]:
                click.secho(f"      [{b['title']}] {b.get('url') or ''}", fg="cyan")
                if b.get("payload"):
                    quick.append((b["title"], "postback:" + b["payload"]))
        elif payload.get("template_type") == "generic":
            for el in payload["elements"]:
                click.secho(f"      ▣ {el['title']} — {el.get('subtitle', '')}", fg="cyan")
                for b in el.get("buttons", []):
                    if b.get("payload"):
                        quick.append((f"{el['title']}: {b['title']}", "postback:" + b["payload"]))
        elif attachment.get("type") == "image":
            click.secho(f"bot › [picture] {payload.get('url')}", fg="cyan")
        for q in msg.get("quick_replies", []):
            if q.get("content_type") == "text":
                quick.append((q["title"], "quick:" + q["payload"]))
    for n, (title, _) in enumerate(quick, 1):
        click.secho(f"  {n}. {title}", fg="yellow")
    return after_id, quick


def run_chat(overrides: dict, lang: str | None) -> None:
    app = create_app(overrides)
    runtime = app.extensions["barta"]
    db = runtime.db()
    counter = itertools.count(1)
    if lang:
        with write_tx(db):
            conv, _ = conversations.get_or_create(db, PSID, time.time())
            db.execute("UPDATE conversations SET language = ? WHERE id = ?", (lang, conv["id"]))
    click.echo("You are the customer. Type a message; a number taps a choice; Ctrl-D quits.")
    last = 0
    quick: list[tuple[str, str]] = []

    def send(event: Event) -> None:
        nonlocal last, quick
        inbox.add(db, [(event.key(), PSID, event.kind, event.to_json())], time.time())
        runtime.drain(db)
        last, quick = _show(db, last)

    send(Event(kind="postback", psid=PSID, payload=policy.GET_STARTED, title="Get Started",
               mid=f"chat-{next(counter)}", timestamp=int(time.time() * 1000)))  # fmt: skip
    while True:
        try:
            text = input("you › ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not text:
            continue
        mid = f"chat-{next(counter)}"
        ts = int(time.time() * 1000)
        if text.isdigit() and quick and 1 <= int(text) <= len(quick):
            title, action = quick[int(text) - 1]
            kind, payload = action.split(":", 1)
            if kind == "postback":
                send(
                    Event(
                        kind="postback",
                        psid=PSID,
                        payload=payload,
                        title=title,
                        mid=mid,
                        timestamp=ts,
                    )
                )
            else:
                send(Event(kind="message", psid=PSID, text=title, payload=payload,
                           quick_reply=True, mid=mid, timestamp=ts))  # fmt: skip
            continue
        send(Event(kind="message", psid=PSID, text=text, mid=mid, timestamp=ts))
