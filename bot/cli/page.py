"""``python app.py page add|list|remove``: the Pages of a deployment; and
``python app.py setup-page [--page PAGE_ID]``: a Page's Messenger profile from its flows.

A Page's flows file is kept as its path relative to the folder of BOT_FLOWS when it lies
inside that folder (the project can move), else as an absolute path; a relative path is
read against that folder again when the Page's flows are loaded.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot import config as settings
from bot.book.compiler import load_book
from bot.conversation.golden import check as check_flows
from bot.messenger.profile import _summary, build_profile, permissions_text, subscribed_fields
from store import pages
from store.db import connect, migrate


@contextmanager
def _open(values: dict) -> Iterator:
    """The migrated database, without building the whole app (a Page is added before its
    flows or token are in force anywhere)."""
    db = connect(str(values["BOT_DB"]))
    try:
        migrate(db)
        yield db
    finally:
        db.close()


def flows_folder(values: dict) -> str:
    """The folder of BOT_FLOWS: a Page's relative flows path is read from there."""
    return os.path.dirname(os.path.abspath(str(values["BOT_FLOWS"])))


def flows_path(values: dict, stored: str | None) -> str:
    """The file a Page's stored flows path names (BOT_FLOWS when it has none)."""
    if not stored:
        return str(values["BOT_FLOWS"])
    if os.path.isabs(stored):
        return stored
    return os.path.join(flows_folder(values), stored)


def _stored_path(values: dict, given: str) -> str:
    """``given`` (from the current folder) as kept: relative to BOT_FLOWS's folder when
    inside it, else absolute."""
    path = os.path.abspath(given)
    folder = flows_folder(values)
    if os.path.commonpath([path, folder]) == folder:
        return os.path.relpath(path, folder)
    return path


def mask(token: str | None) -> str:
    """A token as the page list shows it: ``EAA…x9Q1``, never whole."""
    if not token:
        return "-"
    if len(token) < 12:
        return "…"
    return f"{token[:3]}…{token[-4:]}"


def _read_token(token: str | None) -> str | None:
    """``--token -`` reads the token from standard input (kept out of shell history)."""
    if token != "-":
        return token
    if sys.stdin.isatty():
        return click.prompt("Page access token", hide_input=True)
    return sys.stdin.readline().strip()


def _page_id(value: str) -> str:
    try:
        return pages.check_id(value)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="PAGE_ID") from None


@click.group("page")
def page() -> None:
    """The Facebook Pages this deployment answers, each with its own token and flows."""


@page.command("add")
@click.argument("page_id")
@click.option("--token", help="The Page access token; '-' reads it from standard input.")
@click.option("--flows", "flows", help="The Page's own flows file (default: BOT_FLOWS).")
@click.option("--name", help="The Page's name, as the workspace shows it.")
@click.option("--instagram", "instagram", help="The id of the Instagram account linked to it.")
def page_add(
    page_id: str, token: str | None, flows: str | None, name: str | None, instagram: str | None
) -> None:
    """Add the Page PAGE_ID, or change what is given of a Page already added."""
    page_id = _page_id(page_id)
    if instagram is not None:
        try:
            instagram = pages.check_id(instagram)
        except ValueError:
            raise click.BadParameter(
                "the Instagram account's id is a number, like 17841455500011122",
                param_hint="--instagram",
            ) from None
    token = _read_token(token)
    values = settings.load()
    stored = None
    if flows is not None:
        book, problems, _files = check_flows(flows)
        errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
        if book is None or errors:
            for p in errors or problems:
                click.echo(str(p), err=True)
            raise click.ClickException(f"{flows} has errors; the Page was not saved.")
        stored = _stored_path(values, flows)
    with _open(values) as db:
        if pages.get(db, page_id) is None and not token:
            raise click.UsageError("a new Page needs --token (or --token - to type it)")
        try:
            added, created = pages.add(
                db,
                page_id,
                time.time(),
                token=token,
                name=name,
                flows=stored,
                instagram_id=instagram,
            )
        except ValueError as e:
            raise click.ClickException(str(e)) from None
    title = added["name"] or added["page_id"]
    click.echo(f"{'Added' if created else 'Updated'} Page {title} ({page_id}).")
    click.echo(f"  flows: {added['flows'] or 'BOT_FLOWS'}")
    if created:
        click.echo(f"Next: python app.py setup-page --page {page_id}  (its profile and webhooks)")


@page.command("list")
def page_list() -> None:
    """Each Page: id, name, flows, token (masked) and its conversations."""
    with _open(settings.load()) as db:
        counts = dict(
            db.execute(
                "SELECT page_id, count(*) FROM conversations WHERE psid NOT LIKE 'sim:%' "
                "GROUP BY page_id"
            ).fetchall()
        )
        found = pages.all_pages(db, token=True)
    if not found:
        click.echo(
            "No Pages added: this deployment answers one Page, with MESSENGER_PAGE_TOKEN "
            "and BOT_FLOWS. Add one with: python app.py page add PAGE_ID --token -"
        )
        return
    for p in found:
        click.echo(
            f"{p['page_id']}\t{p['name'] or '-'}\tflows {p['flows'] or 'BOT_FLOWS'}\t"
            f"token {mask(p['token'])}\t"
            f"{counts.get(p['page_id'], 0) + counts.get(p['instagram_id'], 0)} conversation(s)"
            + (f"\tinstagram {p['instagram_id']}" if p["instagram_id"] else "")
        )
    # Conversations of Pages not added (kept before Pages, or Meta's id of the one Page of
    # MESSENGER_PAGE_TOKEN): answered with MESSENGER_PAGE_TOKEN and BOT_FLOWS.
    added = {p["page_id"] for p in found} | {p["instagram_id"] for p in found}
    rest = sum(n for page_id, n in counts.items() if page_id not in added)
    if rest:
        click.echo(f"(MESSENGER_PAGE_TOKEN's Page)\t{rest} conversation(s)")


@page.command("remove")
@click.argument("page_id")
def page_remove(page_id: str) -> None:
    """Forget the Page PAGE_ID; its conversations stay."""
    page_id = _page_id(page_id)
    with _open(settings.load()) as db:
        (n,) = db.execute(
            "SELECT count(*) FROM conversations WHERE page_id = ?", (page_id,)
        ).fetchone()
        removed = pages.remove(db, page_id)
    if not removed:
        raise click.ClickException(f"no Page {page_id} was added (see python app.py page list)")
    click.echo(
        f"Removed Page {page_id}. Its {n} conversation(s) stay, in the workspace and the exports."
    )


@click.command("setup-page")
@click.option("--dry-run", is_flag=True, help="Print the request instead of sending it.")
@click.option("--flows", "flows_option", help="Flows file (default: the Page's, or BOT_FLOWS).")
@click.option("--page", "page_id", help="An added Page (default: MESSENGER_PAGE_TOKEN's).")
def setup_page(dry_run: bool, flows_option: str | None, page_id: str | None) -> None:
    """Push Get Started, greetings, ice breakers and the menu to the page's Messenger profile."""
    values = settings.load()
    token = values.get("MESSENGER_PAGE_TOKEN")
    path = flows_option or str(values["BOT_FLOWS"])
    if page_id is not None:
        page_id = _page_id(page_id)
        with _open(values) as db:
            found = pages.get(db, page_id, token=True)
        if found is None:
            raise click.ClickException(
                f"no Page {page_id} was added (python app.py page add {page_id} --token -)"
            )
        token = found["token"]
        path = flows_option or flows_path(values, found["flows"])
    book, problems = load_book(path)
    if book is None:
        errors = [str(p) for p in problems if getattr(p, "severity", "error") == "error"]
        raise click.ClickException("\n".join([f"{path} has errors; nothing was set:", *errors]))
    profile, warnings = build_profile(book)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    base = str(values["GRAPH_API_URL"]).rstrip("/")
    url = f"{base}/me/messenger_profile"
    body = json.dumps(profile, ensure_ascii=False, indent=2)
    fields = subscribed_fields(book)
    subscribe_url = f"{base}/me/subscribed_apps?subscribed_fields={fields}"
    # An added Page installs the app for its webhooks here; the one Page of
    # MESSENGER_PAGE_TOKEN only when its flows answer comments (as before).
    subscribe = page_id is not None or bool(book.comments)
    if dry_run:
        click.echo(f"POST {url}")
        click.echo(body)
        if subscribe:
            click.echo(f"POST {subscribe_url}", err=True)
        _permissions(book)
        return
    if not token:
        raise click.ClickException(
            "MESSENGER_PAGE_TOKEN is not set: the page's profile cannot be changed without "
            "the page access token (use --dry-run to see the request)."
        )
    from requests import RequestException

    from bot.messenger.graph import GraphError, Messenger

    client = Messenger(base, str(token))
    try:
        result = client.set_profile(profile)
    except (GraphError, RequestException) as e:
        client.close()
        raise click.ClickException(f"Meta refused the profile: {e}") from None
    click.echo(f"POST {url}")
    click.echo(body)
    click.echo(f"Set: {_summary(profile)} (Meta answered {json.dumps(result)})")
    if not subscribe:  # the webhook fields stay as the App Dashboard set them
        client.close()
        _permissions(book)
        return
    try:  # the Page installs the app for these webhook fields, with feed for comments
        answer = client.subscribe(fields)
    except (GraphError, RequestException) as e:
        raise click.ClickException(
            f"the profile is set, but Meta refused the webhook subscription ({fields}): {e}. "
            "The Page token needs pages_manage_metadata (and pages_show_list)."
        ) from None
    finally:
        client.close()
    click.echo(f"POST {subscribe_url}", err=True)
    # Meta's sample answers {"success": "true"}, other pages true: both are fine
    ok = str(answer.get("success")).lower() == "true"
    click.echo(f"Subscribed: {fields} ({'ok' if ok else json.dumps(answer)})", err=True)
    _permissions(book)


def _permissions(book) -> None:
    click.echo("Permissions each feature needs (App Review, Advanced Access):", err=True)
    for line in permissions_text(book):
        click.echo(line, err=True)
