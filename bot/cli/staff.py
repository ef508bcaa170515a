"""``python app.py staff add|token`` and ``python app.py export``."""

from __future__ import annotations

import sys

import click

from bot.app import create_app
from bot.errors import FlowError
from bot.staff.api import csv_response
from store import leads
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
def staff_add(name: str, role: str, password: str | None) -> None:
    """Create a staff account; prints the password when it was generated."""
    app = _app()
    rt = app.extensions["barta"]
    generated = password is None
    password = password or accounts.new_password()
    try:
        accounts.create(rt.db(), name, role, password, rt.clock())
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Created {role} {name.strip()!r}.")
    if generated:
        click.echo("Password (shown once, write it down):")
        click.echo(password)


@staff.command("token")
@click.argument("name")
def staff_token(name: str) -> None:
    """Print a new API token for NAME, alone on the last line."""
    app = _app()
    rt = app.extensions["barta"]
    account = accounts.by_name(rt.db(), name)
    if account is None:
        raise click.ClickException(f"no staff account named {name!r}")
    token = accounts.new_token(rt.db(), account["id"], rt.clock())
    click.echo(f"API token for {account['name']} ({account['role']}); send it as "
               "'Authorization: Bearer <token>':")  # fmt: skip
    click.echo(token)


@click.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")  # fmt: skip
def export(out: str | None) -> None:
    """Export the leads as CSV (UTF-8 with BOM, so Excel shows Bangla)."""
    app = _app()
    with app.test_request_context():
        data = csv_response(leads.search(app.extensions["barta"].db(), limit=None)).get_data()
    if out:
        with open(out, "wb") as f:
            f.write(data)
        click.echo(f"Wrote {out}", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
