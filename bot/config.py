"""The one reader of the environment: DESIGN.md's settings, from env and ``.env``."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v25.0"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS = (
    Setting("MESSENGER_VERIFY_TOKEN", None, "token for the webhook's GET verification"),
    Setting("MESSENGER_APP_SECRET", None, "app secret for X-Hub-Signature-256"),
    Setting("MESSENGER_PAGE_TOKEN", None, "page access token for the Send API"),
    Setting("MESSENGER_APP_ID", None, "the bot's own app id, to tell its own echoes"),
    Setting("GRAPH_API_URL", DEFAULT_GRAPH_API_URL, "Graph API base, version included"),
    Setting("BOT_DB", "instance/bot.db", "path of the SQLite file, or a postgresql:// URL"),
    Setting(
        "BOT_INSTANCE",
        None,
        "folder for the secret key, the first owner's password, flows drafts and history "
        "(default: next to the SQLite file; instance/ with a PostgreSQL URL)",
    ),
    Setting("BOT_FLOWS", "flows.yaml", "path of the main flows file"),
    Setting("SECRET_KEY", None, "session signing key (generated once into instance/)"),
    Setting(
        "TRUSTED_PROXY",
        "127.0.0.1",
        "address of the reverse proxy whose X-Forwarded-For/-Proto/-Host are believed "
        "(empty: none, the peer address is the client)",
    ),
)


def load(overrides: Mapping[str, object] | None = None, *, read_env: bool = True) -> dict:
    """Settings from ``.env``, the environment and ``overrides`` (tests), in that order."""
    values: dict[str, object] = {}
    if read_env:
        from dotenv import dotenv_values

        env_file = dotenv_values(".env") if os.path.exists(".env") else {}
        for s in SETTINGS:
            values[s.name] = os.environ.get(s.name, env_file.get(s.name)) or s.default
    else:
        values = {s.name: s.default for s in SETTINGS}
    if overrides:
        values.update(overrides)
    return values


def secret_key(instance_path: str) -> str:
    """The session key kept in ``instance/secret_key``, made on first use."""
    path = os.path.join(instance_path, "secret_key")
    if os.path.exists(path):
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    os.makedirs(instance_path, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def safe_mode_warnings(config: Mapping[str, object]) -> list[str]:
    """What the bot cannot do with the secrets it was given (logged once at start)."""
    out = []
    if not config.get("MESSENGER_APP_SECRET"):
        out.append("MESSENGER_APP_SECRET is not set: webhook POSTs are refused (403).")
    if not config.get("MESSENGER_VERIFY_TOKEN"):
        out.append("MESSENGER_VERIFY_TOKEN is not set: webhook verification is refused.")
    if not config.get("MESSENGER_PAGE_TOKEN"):
        out.append(
            "MESSENGER_PAGE_TOKEN is not set: offline mode, replies are kept "
            "(see /simulator and /staff) but not sent."
        )
    return out


def data_folder(config: Mapping[str, object], instance_path: str) -> str:
    """The folder Barta keeps its own files in (secret key, drafts, flows history): BOT_INSTANCE,
    else next to the SQLite file, else Flask's instance/ (a server database or memory)."""
    chosen = config.get("BOT_INSTANCE")
    if chosen:
        return os.path.abspath(str(chosen))
    db = str(config.get("BOT_DB") or "")
    if not db or db == ":memory:" or "://" in db:
        return instance_path
    return os.path.dirname(os.path.abspath(db))
