"""``python app.py setup-page``: the Messenger profile request built from flows.yaml."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import FIXTURES, PAGE_TOKEN

FLOWS = """
settings:
  business: {bn: স্বপ্ন ফ্যাশন, en: Shopno Fashion}
  languages: [bn, en]
  timezone: Asia/Dhaka
  whitelisted_domains: ["https://shop.example.com"]

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "আসসালামু আলাইকুম!", en: "Hello!"}

greeting:
  bn: "আসসালামু আলাইকুম {{user_first_name}}! {business}-এ স্বাগতম।"
  en: "Hello {{user_first_name}}! Welcome to {business}."
ice_breakers:
  - {id: price, question: {bn: "দাম কত?", en: "What is the price?"}}
  - {id: delivery, question: {bn: "ডেলিভারি কতদিনে?", en: "How long does delivery take?"}}
menu:
  - {title: {bn: মানুষের সাথে কথা, en: Talk to a person}, payload: HUMAN}
  - {title: {bn: আবার শুরু, en: Start over}, payload: GET_STARTED}
  - {title: {bn: ওয়েবসাইট, en: Our website}, url: "https://shop.example.com/"}
"""


def shape(value):
    """Keys and value types, recursively; lists by the shape of their items."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        shapes = []
        for item in value:
            s = shape(item)
            if s not in shapes:
                shapes.append(s)
        return shapes
    return type(value).__name__


@pytest.fixture
def setup_page(tmp_path, monkeypatch, graph):
    monkeypatch.chdir(tmp_path)  # no developer's .env
    flows = tmp_path / "flows.yaml"

    def run(*args: str, text: str = FLOWS, token: str | None = PAGE_TOKEN):
        flows.write_text(text, encoding="utf-8")
        env = {"BOT_FLOWS": str(flows), "GRAPH_API_URL": graph.url}
        if token:
            env["MESSENGER_PAGE_TOKEN"] = token
        return CliRunner().invoke(cli, ["setup-page", *args], env=env)

    return run


def dry_run_request(result) -> tuple[str, dict]:
    first, _, rest = result.stdout.partition("\n")
    return first, json.loads(rest)


def test_dry_run_prints_the_request_in_the_shape_of_the_fixture(setup_page, graph):
    result = setup_page("--dry-run")
    assert result.exit_code == 0, result.output
    line, body = dry_run_request(result)
    assert line == f"POST {graph.url}/me/messenger_profile"
    assert PAGE_TOKEN not in result.output
    fixture = json.loads(
        (FIXTURES / "send_api" / "requests" / "messenger_profile_setup.json").read_text("utf-8")
    )
    assert shape(body) == shape(fixture)
    assert graph.requests == []  # nothing was sent


GREETING_BN = "আসসালামু আলাইকুম {{user_first_name}}! স্বপ্ন ফ্যাশন-এ স্বাগতম।"
GREETING_EN = "Hello {{user_first_name}}! Welcome to Shopno Fashion."


def test_dry_run_body_holds_the_owners_texts_per_locale(setup_page):
    """languages: [bn, en]: Bangla is the default; English gets en_US and en_GB."""
    _, body = dry_run_request(setup_page("--dry-run"))
    assert body["get_started"] == {"payload": "GET_STARTED"}
    assert body["greeting"] == [
        {"locale": "default", "text": GREETING_BN},
        {"locale": "en_US", "text": GREETING_EN},
        {"locale": "en_GB", "text": GREETING_EN},
    ]
    assert [i["locale"] for i in body["ice_breakers"]] == ["default", "en_US", "en_GB"]
    assert body["ice_breakers"][0]["call_to_actions"] == [
        {"question": "দাম কত?", "payload": "ICE_BREAKER:price"},
        {"question": "ডেলিভারি কতদিনে?", "payload": "ICE_BREAKER:delivery"},
    ]
    for english in body["ice_breakers"][1:]:
        assert english["call_to_actions"] == [
            {"question": "What is the price?", "payload": "ICE_BREAKER:price"},
            {"question": "How long does delivery take?", "payload": "ICE_BREAKER:delivery"},
        ]
    [default, us, gb] = body["persistent_menu"]
    assert (default["locale"], us["locale"], gb["locale"]) == ("default", "en_US", "en_GB")
    assert default["composer_input_disabled"] is False
    assert [b["title"] for b in default["call_to_actions"]] == [
        "মানুষের সাথে কথা",
        "আবার শুরু",
        "ওয়েবসাইট",
    ]
    assert (
        us["call_to_actions"]
        == gb["call_to_actions"]
        == [
            {"type": "postback", "title": "Talk to a person", "payload": "HUMAN"},
            {"type": "postback", "title": "Start over", "payload": "GET_STARTED"},
            {"type": "web_url", "title": "Our website", "url": "https://shop.example.com/"},
        ]
    )
    assert body["whitelisted_domains"] == ["https://shop.example.com"]


def test_an_english_first_shop_uses_english_as_default_and_bn_in_for_bangla(setup_page):
    english_first = FLOWS.replace("languages: [bn, en]", "languages: [en, bn]")
    _, body = dry_run_request(setup_page("--dry-run", text=english_first))
    assert body["greeting"] == [
        {"locale": "default", "text": GREETING_EN},
        {"locale": "bn_IN", "text": GREETING_BN},
    ]
    [default, bangla] = body["persistent_menu"]
    assert (default["locale"], bangla["locale"]) == ("default", "bn_IN")
    assert default["call_to_actions"][0]["title"] == "Talk to a person"
    assert bangla["call_to_actions"][0]["title"] == "মানুষের সাথে কথা"
    assert body["ice_breakers"][1]["call_to_actions"][0]["question"] == "দাম কত?"


def test_a_long_greeting_is_cut_to_messengers_limit(setup_page):
    long = FLOWS.replace("Welcome to {business}.", "Welcome to {business}. " + "x" * 200)
    result = setup_page("--dry-run", text=long)
    _, body = dry_run_request(result)
    [bangla, us, gb] = body["greeting"]
    assert bangla["text"] == GREETING_BN
    assert len(us["text"]) == len(gb["text"]) == 160
    assert us["text"].endswith("…")
    assert result.stderr.count("greeting (en) is cut to 160 characters") == 1


def test_more_than_four_ice_breakers_are_refused_with_the_line(setup_page, graph):
    many = FLOWS.replace(
        "ice_breakers:\n",
        "ice_breakers:\n" + "".join(f"  - {{id: q{n}, question: q{n}}}\n" for n in range(3)),
    )
    result = setup_page(text=many)
    assert result.exit_code == 1
    assert "has errors; nothing was set" in result.output
    assert "flows.yaml:" in result.output
    assert graph.requests == []


def test_a_bangla_only_shop_uses_bangla_as_the_default_locale(setup_page):
    bangla = FLOWS.replace("languages: [bn, en]", "languages: [bn]")
    _, body = dry_run_request(setup_page("--dry-run", text=bangla))
    assert body["greeting"] == [{"locale": "default", "text": GREETING_BN}]
    assert [m["locale"] for m in body["persistent_menu"]] == ["default"]


def test_without_whitelisted_domains_the_key_is_left_out(setup_page):
    plain = FLOWS.replace('  whitelisted_domains: ["https://shop.example.com"]\n', "")
    _, body = dry_run_request(setup_page("--dry-run", text=plain))
    assert set(body) == {"get_started", "greeting", "ice_breakers", "persistent_menu"}


def test_setup_page_posts_the_profile_to_the_graph_api(setup_page, graph):
    _, expected = dry_run_request(setup_page("--dry-run"))
    result = setup_page()
    assert result.exit_code == 0, result.output
    [request] = graph.requests
    assert request["path"] == "/v25.0/me/messenger_profile"
    assert request["token"] == PAGE_TOKEN
    assert request["body"] == expected
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(
        "Set: get_started (GET_STARTED); greeting (default, en_US, en_GB); "
        "ice_breakers (default, en_US, en_GB; 2 each)"
    )
    assert PAGE_TOKEN not in result.output


def test_setup_page_without_a_page_token_says_what_is_missing(setup_page, graph):
    result = setup_page(token=None)
    assert result.exit_code == 1
    assert "MESSENGER_PAGE_TOKEN is not set" in result.output
    assert graph.requests == []


def test_setup_page_reports_metas_refusal(setup_page, graph):
    result = setup_page(token="a-wrong-token")
    assert result.exit_code == 1
    assert "Meta refused the profile" in result.output


def test_a_language_without_a_messenger_locale_is_left_to_default_with_a_warning():
    from types import SimpleNamespace

    from bot.messenger.profile import build_profile

    book = SimpleNamespace(
        settings=SimpleNamespace(business={}, languages=("bn", "hi", "en"), extra={}),
        greeting={"bn": "স্বাগতম", "hi": "स्वागत है", "en": "Welcome"},
        ice_breakers=(),
        menu=(),
    )
    profile, warnings = build_profile(book)
    assert profile["greeting"] == [
        {"locale": "default", "text": "স্বাগতম"},
        {"locale": "en_US", "text": "Welcome"},
        {"locale": "en_GB", "text": "Welcome"},
    ]
    assert warnings == ["hi has no Messenger locale; its customers see the default texts"]
