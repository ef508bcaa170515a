"""``python app.py chat`` tries everything: /ice, /menu, /ref, /later (follow-ups), /save."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from bot.book.compiler import book_from_string
from bot.cli import cli
from bot.conversation import golden
from tests.staff.test_simulator_clock import NUDGE_BN, _flows


def flows(tmp_path):
    # no quiet hours: "/later 3h" shows the follow-up whatever time the test runs at
    text = _flows().replace("settings:\n", "settings:\n  quiet_hours: []\n", 1)
    path = tmp_path / "flows.yaml"
    path.write_text(text, "utf-8")
    return path, text


def chat(tmp_path, *lines: str) -> str:
    path, _ = flows(tmp_path)
    result = CliRunner().invoke(cli, ["chat", "--flows", str(path)], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def test_ice_lists_and_taps_the_ice_breakers(tmp_path):
    out = chat(tmp_path, "/ice", "/ice price")
    assert "/ice price   দাম কত?" in out
    assert "you › [দাম কত?]" in out and "শাড়ি ১,৫০০ টাকা থেকে।" in out


def test_menu_shows_the_items_and_a_number_taps_one(tmp_path):
    out = chat(tmp_path, "/menu", "1")
    assert "1. ☰ দাম জানুন" in out and "ওয়েবসাইট ↗ https://shop.example.com" in out
    assert "শাড়ির দাম ১,৫০০ থেকে ৮,০০০ টাকা।" in out


def test_ref_opens_an_m_me_link(tmp_path):
    # a customer with no question pending follows the link's flow
    out = chat(tmp_path, "3", "1000", "01711223344", "না", "/ref eid_offer")
    before, _, after = out.partition("পরে দেখবেন")
    assert "ঈদ অফার" not in before and "ঈদ অফার: ২০% ছাড়!" in after


def test_later_moves_the_clock_and_the_follow_up_goes_out(tmp_path):
    out = chat(tmp_path, "হ্যালো", "/later 2h", "/later ৩h")
    first, _, rest = out.partition("… ৩h later")
    assert NUDGE_BN not in first
    assert NUDGE_BN in rest
    assert "/later" not in chat(tmp_path, "/later soon").split("Say how much later")[0][-5:]


def test_save_writes_a_golden_test_that_passes(tmp_path):
    out = chat(tmp_path, "হ্যালো", "1", "/save a saree lead")
    saved = (tmp_path / "saved-tests.yaml").read_text("utf-8")
    assert saved.startswith("# Saved by") and "tests:" in saved
    case = yaml.safe_load(saved)["tests"][0]
    assert case["name"] == "a saree lead" and case["expect"]["answers"]["need"] == "saree"
    assert "Saved to" in out
    _, text = flows(tmp_path)
    body = saved.split("tests:\n", 1)[1]
    assert golden.run(book_from_string(text + "\ntests:\n" + body)) == []


def test_help_lists_the_commands(tmp_path):
    out = chat(tmp_path, "/help")
    for word in ("/ice", "/menu", "/ref", "/later", "/save"):
        assert word in out
