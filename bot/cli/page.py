"""``python app.py setup-page``: the Page's Messenger profile from the flows."""

from __future__ import annotations

import json

import click

from bot import config as settings
from bot.book.compiler import load_book
from bot.messenger.profile import _summary, build_profile, permissions_text, subscribed_fields


@click.command("setup-page")
@click.option("--dry-run", is_flag=True, help="Print the request instead of sending it.")
@click.option("--flows", "flows_path", help="Flows file (default: BOT_FLOWS or flows.yaml).")
def setup_page(dry_run: bool, flows_path: str | None) -> None:
    """Push Get Started, greetings, ice breakers and the menu to the page's Messenger profile."""
    values = settings.load()
    path = flows_path or str(values["BOT_FLOWS"])
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
    if dry_run:
        click.echo(f"POST {url}")
        click.echo(body)
        if book.comments:
            click.echo(f"POST {subscribe_url}", err=True)
        _permissions(book)
        return
    token = values.get("MESSENGER_PAGE_TOKEN")
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
    if not book.comments:  # the webhook fields stay as the App Dashboard set them
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
