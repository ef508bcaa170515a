"""``python app.py chat``: a customer's side of the conversation, in the terminal.

Besides messages and numbers (a number taps a choice), the customer can do what Messenger
offers around the chat, and the owner can move time on:

    /ice [id]      tap an ice breaker (without an id: list them)
    /menu          show the persistent menu; a number taps an item
    /ref REF       open an m.me link with ?ref=REF
    /later 3h      the clock moves on (3h, 30m, 1d, ৩h): due follow-ups go out as then
    /save NAME     the conversation so far as a golden test (tests: YAML), printed and
                   appended to saved-tests.yaml beside the flows file
    /help          these commands
"""

from __future__ import annotations

import itertools
import json
import os
import time

import click

from bot.app import create_app
from bot.book.readers import seconds
from bot.conversation import golden
from bot.messenger import policy, profile
from bot.messenger.events import Event
from store import conversations, inbox
from store.db import write_tx

PSID = "chat:terminal"
SAVED_TESTS = "saved-tests.yaml"
COMMANDS = """\
/ice [id]    tap an ice breaker (without an id: list them)
/menu        the persistent menu; then a number taps an item
/ref REF     open an m.me link with ?ref=REF
/later 3h    move the clock on (3h, 30m, 1d): due follow-ups go out as they would then
/save NAME   save the conversation so far as a golden test
/help        these commands"""


class Clock:
    """The chat's clock: real time, moved on by ``/later``."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


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


def _lang(db, book) -> str:
    conv = conversations.by_psid(db, PSID)
    return (conv and conv["language"]) or book.settings.languages[0]


def run_chat(overrides: dict, lang: str | None) -> None:
    clock = Clock()
    app = create_app({**overrides, "CLOCK": clock})
    runtime = app.extensions["barta"]
    db = runtime.db()
    counter = itertools.count(1)
    if lang:
        with write_tx(db):
            conv, _ = conversations.get_or_create(db, PSID, clock())
            db.execute("UPDATE conversations SET language = ? WHERE id = ?", (lang, conv["id"]))
    click.echo("You are the customer. Type a message; a number taps a choice; Ctrl-D quits.")
    click.echo("Commands: /ice, /menu, /ref REF, /later 3h, /save NAME, /help")
    last = 0
    quick: list[tuple[str, str]] = []

    def send(event: Event) -> None:
        nonlocal last, quick
        inbox.add(db, [(event.key(), PSID, event.kind, event.to_json())], clock())
        runtime.drain(db)
        last, quick = _show(db, last)

    def ids() -> tuple[str, int]:
        return f"chat-{next(counter)}", int(clock() * 1000)

    def postback(payload: str, title: str | None) -> None:
        mid, ts = ids()
        send(Event(kind="postback", psid=PSID, payload=payload, title=title, mid=mid,
                   timestamp=ts))  # fmt: skip

    def command(text: str) -> None:
        nonlocal last, quick
        name, _, arg = text[1:].partition(" ")
        arg = arg.strip()
        book = runtime.book
        here = _lang(db, book)
        if name == "ice":
            ice = list(book.ice_breakers or ())[: policy.MAX_ICE_BREAKERS]
            if not ice:
                click.echo("These flows have no ice_breakers:.")
                return
            for item in ice:
                iid = str(profile._get(item, "id"))
                question = profile._text(book, profile._get(item, "question"), here)
                if arg == iid:
                    click.secho(f"you › [{question}]", fg="green")
                    postback(policy.PAYLOAD_ICE + iid, question)
                    return
            if arg:
                click.echo(f"No ice breaker {arg!r}.")
            for item in ice:
                question = profile._text(book, profile._get(item, "question"), here)
                click.echo(f"  /ice {profile._get(item, 'id')}   {question}")
        elif name == "menu":
            menu = [profile._menu_item(book, b, here) for b in book.menu or ()]
            if not menu:
                click.echo("These flows have no menu:.")
                return
            quick = []
            for item in menu:
                if item["type"] == "web_url":
                    click.secho(f"  ☰ {item['title']} ↗ {item['url']}", fg="yellow")
                else:
                    quick.append((item["title"], "postback:" + item["payload"]))
                    click.secho(f"  {len(quick)}. ☰ {item['title']}", fg="yellow")
        elif name == "ref":
            if not arg:
                click.echo("Give the ref: /ref eid_offer")
                return
            mid, ts = ids()
            referral = {"ref": arg, "source": "SHORTLINK", "type": "OPEN_THREAD"}
            send(Event(kind="referral", psid=PSID, referral=referral, mid=mid, timestamp=ts))
        elif name == "later":
            step = seconds(arg or "")
            if not step or step <= 0:
                click.echo("Say how much later: /later 3h (or 30m, 1d)")
                return
            clock.offset += step
            zone = book.settings.timezone
            from datetime import datetime
            from zoneinfo import ZoneInfo

            when = datetime.fromtimestamp(clock(), ZoneInfo(zone)).strftime("%a %d %b %H:%M")
            click.secho(f"… {arg} later: {when}", fg="magenta")
            if runtime.scheduler is not None:
                runtime.scheduler.tick(db)
            last, quick = _show(db, last)
        elif name == "save":
            if not arg:
                click.echo("Give the test a name: /save a saree order")
                return
            try:
                text = golden.record(db, PSID, arg, book.settings.languages[0])
            except ValueError as e:
                click.echo(str(e))
                return
            path = _saved_tests_path(runtime.flows_path)
            new = not os.path.exists(path)
            with open(path, "a", encoding="utf-8") as fh:
                if new:
                    fh.write(
                        "# Saved by `python app.py chat` (/save); copy them into a flows file\n"
                    )
                    fh.write("tests:\n")
                fh.write("\n" + text)
            click.echo(text.rstrip())
            click.echo(f"Saved to {path}; copy it under tests: in a flows file.")
        else:
            click.echo(COMMANDS)

    postback(policy.GET_STARTED, "Get Started")
    while True:
        try:
            text = input("you › ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not text:
            continue
        if text.startswith("/"):
            command(text)
            continue
        mid, ts = ids()
        if text.isdigit() and quick and 1 <= int(text) <= len(quick):
            title, action = quick[int(text) - 1]
            kind, payload = action.split(":", 1)
            if kind == "postback":
                postback(payload, title)
            else:
                send(Event(kind="message", psid=PSID, text=title, payload=payload,
                           quick_reply=True, mid=mid, timestamp=ts))  # fmt: skip
            continue
        send(Event(kind="message", psid=PSID, text=text, mid=mid, timestamp=ts))


def _saved_tests_path(flows_path: str) -> str:
    folder = os.path.dirname(os.path.abspath(flows_path or "flows.yaml"))
    return os.path.join(folder, SAVED_TESTS)
