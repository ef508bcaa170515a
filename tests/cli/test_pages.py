"""``python app.py page add|list|remove``, ``setup-page --page`` and ``staff --page``: the
Pages of a deployment from the command line, over a real database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from store import conversations, pages
from store import staff as accounts
from store.db import connect, migrate, write_tx
from tests.fake_graph import FakeGraph

PAGE_A = "105511223344556"
PAGE_B = "105599887766554"
TOKEN_B = "EAAGm0PX4ZCpsBAbcdefghijklmnopx9Q1"

SHOP_B = """
settings:
  business: {bn: আমার দোকান, en: Amar Dokan}
  languages: [bn, en]
  timezone: Asia/Dhaka

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "আমার দোকানে স্বাগতম!", en: "Welcome to Amar Dokan!"}

greeting:
  bn: "আমার দোকানে স্বাগতম।"
  en: "Welcome to Amar Dokan."
ice_breakers:
  - {id: price, question: {bn: "শার্টের দাম কত?", en: "How much is a shirt?"}}
"""

BROKEN = """
settings:
  languages: [bn, en]
flows:
  welcome:
    start_on: [first_message]
    steps:
      - goto: nowhere
"""


@pytest.fixture
def shop(tmp_path, monkeypatch, bot_db):
    """A project folder: flows.yaml (BOT_FLOWS), shops/b.yaml, and the database."""
    monkeypatch.chdir(tmp_path)  # no developer's .env
    (tmp_path / "flows.yaml").write_text(SHOP_B.replace("Amar Dokan", "Main Shop"), "utf-8")
    (tmp_path / "shops").mkdir()
    (tmp_path / "shops" / "b.yaml").write_text(SHOP_B, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    env = {"BOT_DB": bot_db, "BOT_FLOWS": str(tmp_path / "flows.yaml"), "SECRET_KEY": "t"}

    def run(*args: str, input: str | None = None, **more: str):
        return CliRunner().invoke(cli, list(args), env={**env, **more}, input=input)

    run.db_path = bot_db  # type: ignore[attr-defined]
    return run


def _db(path: str):
    db = connect(path)
    migrate(db)
    return db


def test_add_list_update_and_remove_a_page(shop):
    added = shop("page", "add", PAGE_B, "--token", TOKEN_B, "--name", "Amar Dokan",
                 "--flows", "shops/b.yaml")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert f"Added Page Amar Dokan ({PAGE_B})" in added.output
    assert TOKEN_B not in added.output
    db = _db(shop.db_path)
    page = pages.get(db, PAGE_B, token=True)
    # kept relative to BOT_FLOWS's folder
    assert page["flows"] == "shops/b.yaml" and page["token"] == TOKEN_B
    with write_tx(db):
        conversations.create(db, "7012345678901234", 1.0, page_id=PAGE_B)
        conversations.create(db, "7012345678905555", 1.0)
        # Meta's id of a Page not added: MESSENGER_PAGE_TOKEN's too
        conversations.create(db, "7012345678906666", 1.0, page_id="105511223344556")
    db.close()

    listed = shop("page", "list")
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith(PAGE_B))
    assert "Amar Dokan" in line and "shops/b.yaml" in line and "1 conversation" in line
    assert "EAA…x9Q1" in line and TOKEN_B not in listed.output
    assert "(MESSENGER_PAGE_TOKEN's Page)\t2 conversation(s)" in listed.output

    # a second add changes only what it is given; the token may come from standard input
    again = shop("page", "add", PAGE_B, "--token", "-", input="EAAnewtoken1234567890\n")
    assert again.exit_code == 0, again.output
    assert "Updated Page Amar Dokan" in again.output
    db = _db(shop.db_path)
    page = pages.get(db, PAGE_B, token=True)
    assert page["token"] == "EAAnewtoken1234567890" and page["flows"] == "shops/b.yaml"
    db.close()

    removed = shop("page", "remove", PAGE_B)
    assert removed.exit_code == 0, removed.output
    assert "1 conversation(s) stay" in removed.output
    db = _db(shop.db_path)
    assert pages.get(db, PAGE_B) is None
    assert conversations.by_psid(db, "7012345678901234")["page_id"] == PAGE_B
    db.close()
    assert shop("page", "remove", PAGE_B).exit_code == 1
    assert "No Pages added" in shop("page", "list").output


def test_flows_outside_the_project_are_kept_absolute(shop, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "c.yaml"
    other.write_text(SHOP_B, encoding="utf-8")
    added = shop("page", "add", PAGE_A, "--token", TOKEN_B, "--flows", str(other),
                 "--instagram", "17841455500011122")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "instagram 17841455500011122" in shop("page", "list").output
    db = _db(shop.db_path)
    assert pages.get(db, PAGE_A)["flows"] == str(other)
    db.close()


def test_flows_with_errors_are_refused_and_nothing_is_saved(shop):
    result = shop("page", "add", PAGE_B, "--token", TOKEN_B, "--flows", "broken.yaml")
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output  # file:line: message, as `check` prints them
    assert "not saved" in result.output
    db = _db(shop.db_path)
    assert pages.all_pages(db) == []
    db.close()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["page", "add", "my-page", "--token", TOKEN_B], 2, "is not a Page id"),
        (["page", "add", PAGE_B], 2, "needs --token"),
        (["page", "add", PAGE_B, "--token", "EAA with spaces"], 1, "not a Page access token"),
        (["page", "add", PAGE_B, "--token", TOKEN_B, "--name", "a\nb"], 1, "Page name"),
        (["page", "add"], 2, "Missing argument"),
        (["page", "add", PAGE_B, "--token", TOKEN_B, "--instagram", "ig"], 2, "Instagram"),
        (["page", "remove", "১০৫"], 2, "is not a Page id"),
        (["page", "frobnicate"], 2, "No such command"),
    ],
    ids=[
        "bad id",
        "no token",
        "bad token",
        "bad name",
        "no id",
        "bad instagram",
        "bangla digits",
        "unknown",
    ],  # fmt: skip
)
def test_bad_usage_is_one_clear_line(shop, args, code, says):
    result = shop(*args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_setup_page_pushes_the_page_s_own_profile_with_its_token(shop):
    graph = FakeGraph(token=TOKEN_B)
    try:
        assert (
            shop("page", "add", PAGE_B, "--token", TOKEN_B, "--flows", "shops/b.yaml").exit_code
            == 0
        )
        result = shop("setup-page", "--page", PAGE_B, GRAPH_API_URL=graph.url,
                      MESSENGER_PAGE_TOKEN="main-page-token")  # fmt: skip
        assert result.exit_code == 0, result.output
        calls = [r for r in graph.requests if r["path"].endswith("/messenger_profile")]
        assert calls and all(r["token"] == TOKEN_B for r in calls)
        body = calls[-1]["body"]
        texts = str(body)
        assert "আমার দোকানে স্বাগতম" in texts and "Main Shop" not in texts
        subscribed = [r for r in graph.requests if r["path"].endswith("/subscribed_apps")]
        assert subscribed and subscribed[-1]["token"] == TOKEN_B
    finally:
        graph.stop()
    unknown = shop("setup-page", "--page", PAGE_A, "--dry-run")
    assert unknown.exit_code == 1 and f"no Page {PAGE_A}" in unknown.output


def test_setup_page_without_page_uses_bot_flows(shop):
    result = shop("setup-page", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Main Shop" in result.output


def test_staff_limited_to_pages(shop):
    assert shop("page", "add", PAGE_A, "--token", TOKEN_B, "--name", "Shopno").exit_code == 0
    assert shop("page", "add", PAGE_B, "--token", TOKEN_B, "--name", "Amar").exit_code == 0
    made = shop("staff", "add", "rina", "--page", PAGE_B, "--page", PAGE_A)
    assert made.exit_code == 0, made.output
    assert "limited to" in made.output
    db = _db(shop.db_path)
    assert accounts.by_name(db, "rina")["pages"] == [PAGE_A, PAGE_B]
    db.close()

    assert shop("staff", "pages", "rina", PAGE_B).exit_code == 0
    db = _db(shop.db_path)
    assert accounts.by_name(db, "rina")["pages"] == [PAGE_B]
    db.close()
    every = shop("staff", "pages", "rina")
    assert every.exit_code == 0 and "every Page" in every.output
    db = _db(shop.db_path)
    assert accounts.by_name(db, "rina")["pages"] is None
    db.close()

    assert shop("staff", "pages", "rina", "999999").exit_code == 1  # not added
    assert shop("staff", "pages", "nobody", PAGE_B).exit_code == 1
    assert shop("staff", "add", "boss", "--role", "owner", "--page", PAGE_B).exit_code == 2
    assert shop("staff", "add", "karim", "--page", "abc").exit_code == 2


def test_export_takes_one_page_s_leads(shop):
    assert shop("page", "add", PAGE_B, "--token", TOKEN_B).exit_code == 0
    db = _db(shop.db_path)
    with write_tx(db):
        conversations.create(db, "7012345678900001", 1.0, page_id=PAGE_B)
        conversations.create(db, "7012345678900002", 1.0)
    everything = shop("export")
    assert everything.exit_code == 0, everything.output
    assert "7012345678900001" in everything.output and "7012345678900002" in everything.output
    only_b = shop("export", "--page", PAGE_B)
    assert only_b.exit_code == 0, only_b.output
    assert "7012345678900001" in only_b.output and "7012345678900002" not in only_b.output
    unknown = shop("export", "--page", PAGE_A)
    assert unknown.exit_code == 1 and "no Page" in unknown.output
