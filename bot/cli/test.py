"""``python app.py test [FILE]``: play the flows' golden conversations (``tests:``), offline."""

from __future__ import annotations

import sys

import click

from bot import config as settings
from bot.book.compiler import load_book
from bot.conversation import golden


@click.command("test")
@click.argument("file", required=False)
def test(file: str | None) -> None:
    """Play the tests: of the flows on a throwaway database; file:line: message per failure."""
    path = file or str(settings.load()["BOT_FLOWS"])
    book, problems = load_book(path)
    errors = [p for p in problems if p.is_error]
    if book is None:
        for p in errors:
            click.echo(str(p))
        click.echo(f"{len(errors)} error(s) in the flows; the tests did not run", err=True)
        sys.exit(1)
    failures = golden.run(book)
    for p in failures:
        click.echo(str(p))
    total = len(book.tests)
    if failures:
        click.echo(f"{len(failures)} failure(s) in {total} test(s)", err=True)
        sys.exit(1)
    click.echo(f"{path}: {total} test(s) passed" if total else f"{path}: no tests: to run")
