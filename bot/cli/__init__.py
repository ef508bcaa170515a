"""The command line: serve (the default), check, chat, diagram; ``staff``, ``export``,
``page`` and ``setup-page`` from their own modules. Imported only by ``app.py`` and the console script."""

from __future__ import annotations

import logging
import os
import sys
import tempfile

import click
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server

from bot import config as settings
from bot import i18n
from bot.app import create_app
from bot.book import messages
from bot.book.compiler import load_book
from bot.cli import page
from bot.cli import staff as staff_commands
from bot.cli.chat import run_chat
from bot.cli.test import test as test_command
from bot.conversation.diagram import mermaid
from bot.conversation.golden import check as check_flows
from bot.errors import FlowError

log = logging.getLogger(__name__)


def _utf8_stdout() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


@click.group(invoke_without_command=True)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Barta: a rule-driven Messenger bot for shops, in Bangla and English."""
    _utf8_stdout()
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


# Waitress's limits, chosen (README, "Security"): a client that trickles bytes, opens
# connection after connection or sends a huge body must not starve /healthz or /webhook.
SERVE_LIMITS = {
    # The app accepts at most 1 MiB (the webhook); waitress refuses more with 413 before
    # the body is buffered, instead of spooling up to 1 GB to disk first.
    "max_request_body_size": 1024 * 1024 + 64 * 1024,
    "max_request_header_size": 64 * 1024,  # default 256 KB
    # Many idle or slow connections cost little (waitress is asynchronous): allow 1,000
    # (default 100) so 200 slow clients do not lock out Meta and the health check ...
    "connection_limit": 1000,
    # ... and close one that has sent nothing for 30 s (default 120 s), checked every 10 s.
    "channel_timeout": 30,
    "cleanup_interval": 10,
    # Bodies up to 1 MiB stay in memory, bigger would be refused anyway (default 512 KB
    # in memory, then a temporary file).
    "inbuf_overflow": 1024 * 1024 + 64 * 1024,
    "outbuf_overflow": 4 * 1024 * 1024,
    "asyncore_use_poll": True,  # select() fails past 1,024 file descriptors
    "backlog": 1024,
}


class Channel(HTTPChannel):
    """waitress's channel, without one busy loop.

    While a request is served, the worker thread writes its response itself (it holds the
    channel's output lock for each write). waitress's main loop meanwhile sees the channel
    "writable" (bytes are in its buffer), polls, cannot take the lock, and polls again at
    once — thousands of turns a second, each wanting the GIL the worker needs to finish.
    Measured with bench/webhook.py at 16 customers at a time, the main thread burnt about
    1.5 ms of CPU per message (the floor app's: 0.46). Here the channel is not writable
    while a worker holds its lock: the worker flushes what it wrote, and waitress wakes
    the loop when the request ends (``service`` pulls the trigger) or when a worker waits
    for the loop to drain a full buffer (the wait releases the lock).
    """

    def writable(self) -> bool:
        if self.requests and not (self.will_close or self.close_when_flushed):
            if not self.outbuf_lock.acquire(blocking=False):
                return False  # a worker is writing to it right now
            self.outbuf_lock.release()
        return bool(super().writable())


def make_server(app, **options):
    """waitress's server (``create_server``), with ``Channel`` for every connection."""
    sockets: dict = {}
    server = create_server(app, map=sockets, **options)
    for dispatcher in list(sockets.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = Channel
    return server


def run_server(app, **options) -> None:
    """waitress's ``serve`` with ``Channel``: runs until the process is stopped."""
    make_server(app, **options).run()


def serve_options(config) -> dict:
    """Waitress's keyword arguments: the limits above and the trusted proxy."""
    options: dict = {"ident": "barta", **SERVE_LIMITS}
    proxy = str(config.get("TRUSTED_PROXY") or "").strip()
    if proxy and proxy.lower() != "none":
        # A reverse proxy (README) terminates HTTPS: believe its X-Forwarded-* headers,
        # and nobody else's, so the workspace sees the client's address (login limits)
        # and https (Secure cookie, CSRF referrer check).
        options.update(
            trusted_proxy=proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            clear_untrusted_proxy_headers=True,
        )
    else:
        options.update(clear_untrusted_proxy_headers=True)
    return options


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Server threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Run the webhook, workspace, simulator, sender and scheduler in one process."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    try:
        app = create_app()
    except FlowError as e:
        raise click.ClickException(str(e)) from None
    runtime = app.extensions["barta"]
    for hook in app.extensions.get("barta_first_run", []):
        hook()
    runtime.start()
    url = f"http://{host}:{port}"
    click.echo(f"Barta is running on {url}")
    click.echo(f"  simulator:  {url}/simulator")
    click.echo(f"  workspace:  {url}/staff")
    click.echo(f"  webhook:    {url}/webhook   health: {url}/healthz")
    if runtime.offline:
        click.echo("  offline mode: no MESSENGER_PAGE_TOKEN, replies are kept, not sent")
    try:
        run_server(app, host=host, port=port, threads=threads, **serve_options(app.config))
    finally:
        runtime.shutdown()


@cli.command()
@click.argument("file", required=False)
@click.option(
    "--lang",
    type=click.Choice(["en", "bn"]),
    default="en",
    show_default=True,
    help="The language of the messages (bn: Bangla).",
)
def check(file: str | None, lang: str) -> None:
    """Validate the flows and play their tests:; file:line: message per problem; exit 1 on errors."""

    _ = i18n.gettext
    messages.use_language(lang)
    path = file or str(settings.load()["BOT_FLOWS"])
    problems = check_flows(path)[1]
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    for p in problems:
        text = str(p)
        if lang != "en" and not p.is_error:
            text = text.replace(": warning: ", ": " + _(lang, "warning") + ": ", 1)
        click.echo(text)

    def count(n: int) -> str:
        return i18n.bn_digits(str(n)) if lang == "bn" else str(n)

    warnings = count(len(problems) - len(errors))
    if errors:
        found = _(lang, "{errors} error(s), {warnings} warning(s)", errors=count(len(errors)),
                  warnings=warnings)  # fmt: skip
        click.echo(found, err=True)
        sys.exit(1)
    click.echo(_(lang, "{path}: OK ({warnings} warning(s))", path=path, warnings=warnings))


@cli.command()
@click.option("--lang", type=click.Choice(["bn", "en"]), help="Start in this language.")
@click.option("--flows", "flows_path", help="Flows file (default: BOT_FLOWS or flows.yaml).")
def chat(lang: str | None, flows_path: str | None) -> None:
    """Talk to the bot in the terminal as a customer (no Facebook, a throwaway database)."""

    with tempfile.TemporaryDirectory() as tmp:
        overrides = {
            "BOT_DB": os.path.join(tmp, "chat.db"),
            "MESSENGER_PAGE_TOKEN": None,
            "SECRET_KEY": "chat",
        }
        if flows_path:
            overrides["BOT_FLOWS"] = flows_path
        run_chat(overrides, lang)


@cli.command()
def diagram() -> None:
    """Print the stage machine and the flows as a Mermaid diagram."""

    book, problems = load_book(str(settings.load()["BOT_FLOWS"]))
    if book is None:
        raise click.ClickException("the flows have errors; run `python app.py check`")
    click.echo(mermaid(book))


cli.add_command(staff_commands.staff)
cli.add_command(staff_commands.export)
cli.add_command(page.setup_page)
cli.add_command(page.page)
cli.add_command(test_command)


def main() -> None:
    """``python app.py`` and the ``barta`` console script."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli()
