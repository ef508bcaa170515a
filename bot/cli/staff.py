"""``python app.py staff add|token|tokens|remove|role|password|revoke|pages`` and
``python app.py export``."""

from __future__ import annotations

import sys

import click

from bot.app import create_app
from bot.errors import FlowError
from bot.staff.api import csv_response
from store import leads, pages
from store import staff as accounts


def _app():
    try:
        return create_app()
    except FlowError as e:
        raise click.ClickException(str(e)) from None


@click.group()
def staff() -> None:
    """Manage the workspace's staff accounts."""


@staff.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["owner", "agent"]), default="agent", show_default=True,
              help="Owners also manage staff and export leads.")  # fmt: skip
@click.option("--password", help="The password (at least 8 characters); generated if not given.")
@click.option("--page", "page_ids", multiple=True, metavar="PAGE_ID",
              help="Limit an agent to this Page (repeat for more); default: every Page.")  # fmt: skip
def staff_add(name: str, role: str, password: str | None, page_ids: tuple[str, ...]) -> None:
    """Create a staff account; prints the password when it was generated."""
    if page_ids and role == "owner":
        raise click.UsageError("an owner works on every Page: --page is for agents")
    app = _app()
    rt = app.extensions["barta"]
    limit = _added_pages(rt.db(), page_ids)
    generated = password is None
    password = password or accounts.new_password()
    try:
        account = accounts.create(rt.db(), name, role, password, rt.clock())
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if limit:
        accounts.set_pages(rt.db(), account["id"], limit)
    click.echo(f"Created {role} {name.strip()!r}{_pages_text(limit)}.")
    if generated:
        click.echo("Password (shown once, write it down):")
        click.echo(password)


def _account(name: str):
    app = _app()
    rt = app.extensions["barta"]
    account = accounts.by_name(rt.db(), name)
    if account is None:
        raise click.ClickException(f"no staff account named {name!r}")
    return rt, account


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``2w`` → seconds."""
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdecimal():
        raise click.BadParameter("use a number and m, h, d or w, e.g. 30d")
    seconds = int(text[:-1]) * _UNITS[text[-1]]
    if not 0 < seconds <= 10 * 365 * 86400:
        raise click.BadParameter("between one minute and ten years")
    return float(seconds)


@staff.command("token")
@click.argument("name")
@click.option("--expires", help="Valid for this long (30d, 12h, 2w); default: until revoked.")
def staff_token(name: str, expires: str | None) -> None:
    """Print a new API token for NAME, alone on the last line."""
    rt, account = _account(name)
    now = rt.clock()
    until = now + parse_duration(expires) if expires else None
    token = accounts.new_token(rt.db(), account["id"], now, until)
    click.echo(f"API token for {account['name']} ({account['role']}); send it as "
               "'Authorization: Bearer <token>':")  # fmt: skip
    click.echo(token)


@staff.command("tokens")
@click.argument("name")
def staff_tokens(name: str) -> None:
    """List NAME's API tokens (never the secret): id, made, last used, expiry, state."""
    rt, account = _account(name)
    now = rt.clock()
    for t in accounts.tokens(rt.db(), account["id"]):
        state = (
            "revoked" if t["revoked_at"]
            else "expired" if t["expires_at"] and t["expires_at"] <= now
            else "live"
        )  # fmt: skip
        click.echo(
            f"{t['id']}\tmade {_when(t['created_at'])}\tused {_when(t['last_used_at'])}\t"
            f"expires {_when(t['expires_at'])}\t{state}"
        )


def _when(ts: float | None) -> str:
    import datetime

    if ts is None:
        return "-"
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


@staff.command("revoke")
@click.argument("name")
@click.option("--token", "token_id", type=int, help="Revoke only this token (see `tokens`).")
def staff_revoke(name: str, token_id: int | None) -> None:
    """Revoke NAME's API tokens and end all of its sessions (or revoke one token)."""
    rt, account = _account(name)
    n = accounts.revoke_tokens(rt.db(), account["id"], rt.clock(), token_id)
    if token_id is None:
        accounts.end_sessions(rt.db(), account["id"])
        click.echo(f"Revoked {n} token(s) of {account['name']} and ended its sessions.")
    else:
        click.echo(f"Revoked {n} token(s) of {account['name']}.")


@staff.command("remove")
@click.argument("name")
def staff_remove(name: str) -> None:
    """Delete NAME's account and tokens; its sessions end (never the last owner)."""
    rt, account = _account(name)
    try:
        accounts.remove(rt.db(), account["id"])
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Removed {account['name']}.")


@staff.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["owner", "agent"]))
def staff_role(name: str, role: str) -> None:
    """Make NAME an owner or an agent; its sessions end (the last owner stays one)."""
    rt, account = _account(name)
    try:
        accounts.set_role(rt.db(), account["id"], role)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{account['name']} is now {role}.")


@staff.command("password")
@click.argument("name")
@click.option("--password", help="The new password (8-128 characters); generated if not given.")
def staff_password(name: str, password: str | None) -> None:
    """Set NAME's password; every session of it ends. Prints a generated one."""
    rt, account = _account(name)
    generated = password is None
    password = password or accounts.new_password()
    try:
        accounts.set_password(rt.db(), account["id"], password)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Password of {account['name']} changed; its sessions ended.")
    if generated:
        click.echo("Password (shown once, write it down):")
        click.echo(password)


def _added_pages(db, page_ids: tuple[str, ...] | list[str]) -> list[str]:
    """The given Page ids, each checked and added (``page add``) already."""
    out = []
    for given in page_ids:
        try:
            page_id = pages.check_id(given)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="PAGE_ID") from None
        if pages.get(db, page_id) is None:
            raise click.ClickException(f"no Page {page_id} was added (see python app.py page list)")
        out.append(page_id)
    return sorted(set(out))


def _pages_text(limit: list[str] | None) -> str:
    return f", limited to Page(s) {', '.join(limit)}" if limit else ""


@staff.command("pages")
@click.argument("name")
@click.argument("page_ids", nargs=-1, metavar="[PAGE_ID]...")
def staff_pages(name: str, page_ids: tuple[str, ...]) -> None:
    """Limit the agent NAME to these Pages' conversations (none given: every Page)."""
    rt, account = _account(name)
    if page_ids and account["role"] == "owner":
        raise click.UsageError(f"{account['name']} is an owner and works on every Page")
    limit = _added_pages(rt.db(), page_ids)
    accounts.set_pages(rt.db(), account["id"], limit or None)
    if limit:
        click.echo(f"{account['name']} now works on Page(s) {', '.join(limit)} only.")
    else:
        click.echo(f"{account['name']} now works on every Page.")


@click.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")  # fmt: skip
@click.option("--page", "page_ids", multiple=True, metavar="PAGE_ID",
              help="Only this Page's leads (repeat for several).")  # fmt: skip
def export(out: str | None, page_ids: tuple[str, ...]) -> None:
    """Export the leads as CSV (UTF-8 with BOM, so Excel shows Bangla)."""
    app = _app()
    db = app.extensions["barta"].db()
    only = _added_pages(db, page_ids) if page_ids else None
    with app.test_request_context():
        data = csv_response(leads.search(db, pages=only, limit=None)).get_data()
    if out:
        with open(out, "wb") as f:
            f.write(data)
        click.echo(f"Wrote {out}", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
