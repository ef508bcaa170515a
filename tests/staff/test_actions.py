"""The staff actions take the same input the same way from the workspace's forms and from
the JSON API: one rule for empty text, whitespace, line breaks, lengths, stages, filters."""

from __future__ import annotations

import html
import re

import pytest

from store import conversations
from store import staff as accounts

HUMAN_BN = "মানুষের সাথে কথা বলতে চাই"
PASSWORD = "correct horse battery"


class Both:
    """One owner, signed in twice: a bearer token for /api and a session for /staff."""

    def __init__(self, app, customer) -> None:
        rt = app.extensions["barta"]
        account = accounts.create(rt.db(), "rina", "owner", PASSWORD, rt.clock())
        self.headers = {
            "Authorization": "Bearer " + accounts.new_token(rt.db(), account["id"], rt.clock())
        }
        self.api = app.test_client()
        self.page = app.test_client()
        self.page.post("/staff/login", data={"name": "rina", "password": PASSWORD})
        self.page.get("/staff/lang/en")
        self.db = rt.db()
        c = customer("7600000000000001")
        c.says(HUMAN_BN)
        self.cid = c.conversation()["id"]

    def post_api(self, what: str, body: dict):
        return self.api.post(
            f"/api/conversations/{self.cid}/{what}", json=body, headers=self.headers
        )

    def post_form(self, what: str, data: dict):
        return self.page.post(f"/staff/c/{self.cid}/{what}", data=data, follow_redirects=True)

    def notes(self) -> list[str]:
        return [n["text"] for n in conversations.notes(self.db, self.cid)]

    def labels(self) -> list[str]:
        return conversations.labels(self.db, self.cid)

    def stage(self) -> str:
        return conversations.get(self.db, self.cid)["stage"]


@pytest.fixture
def both(app, customer):
    return Both(app, customer)


def api_error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.data
    body = resp.get_json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    return body


def flashed(resp) -> list[str]:
    return [
        html.unescape(m) for m in re.findall(r'<p class="flash error"[^>]*>(.*?)</p>', resp.text)
    ]


# --- notes ---------------------------------------------------------------------------------


def test_a_note_over_the_limit_is_refused_on_both_sides_and_the_page_keeps_it(both):
    long = "ক" * 5001
    body = api_error(both.post_api("notes", {"text": long}), 400)
    assert "5000" in body["error"] and body["field"] == "text" and body["limit"] == 5000
    page = both.post_form("notes", {"text": long})
    assert page.status_code == 400
    assert flashed(page) == ["A note may have at most 5,000 characters."]
    assert long in page.text  # what was typed is still in the form
    assert both.notes() == []  # neither side cut it and saved the rest


def test_a_note_at_the_limit_counts_a_line_break_once_on_both_sides(both):
    # A browser counts a line break as one character for maxlength but sends \r\n.
    text = "\r\n".join(["খ" * 99] * 50)  # 50 × 99 + 49 breaks = 4,999 characters
    assert both.post_api("notes", {"text": text}).status_code == 200
    assert both.post_form("notes", {"text": text}).status_code == 200
    assert both.notes() == [text.replace("\r\n", "\n")] * 2


@pytest.mark.parametrize("text", ["", "   ", "\r\n\t"])
def test_an_empty_note_is_refused_on_both_sides(both, text):
    assert api_error(both.post_api("notes", {"text": text}), 400)["error"] == "the note is empty"
    assert flashed(both.post_form("notes", {"text": text})) == ["Write a note first."]
    assert both.notes() == []


# --- labels --------------------------------------------------------------------------------


def test_an_empty_label_is_refused_on_both_sides(both):
    """The form used to ignore it silently while the API refused it."""
    api_error(both.post_api("labels", {"label": "  "}), 400)
    page = both.post_form("labels", {"label": "  "})
    assert flashed(page) == ["Write a label first."]
    assert both.labels() == []


def test_a_label_over_50_characters_is_refused_on_both_sides_not_cut(both):
    """Both sides used to cut it to 50 silently."""
    long = "ঈ" * 51
    body = api_error(both.post_api("labels", {"label": long}), 400)
    assert body["limit"] == 50
    page = both.post_form("labels", {"label": long})
    assert page.status_code == 400 and flashed(page) == ["A label may have at most 50 characters."]
    assert f'value="{long}"' in page.text
    assert both.labels() == []


def test_a_label_reads_with_its_whitespace_collapsed_on_both_sides(both):
    assert both.post_api("labels", {"label": "  ঈদ   অফার "}).get_json()["labels"] == ["ঈদ অফার"]
    both.post_form("labels", {"label": "ঈদ\tঅফার"})
    both.post_form("labels", {"label": "vip  "})
    assert both.labels() == ["ঈদ অফার", "vip"]
    both.post_form("labels", {"remove": " vip"})
    assert (
        both.api.delete(
            f"/api/conversations/{both.cid}/labels/ঈদ অফার", headers=both.headers
        ).status_code
        == 200
    )
    assert both.labels() == []


# --- stages and replies --------------------------------------------------------------------


def test_no_stage_is_a_400_on_both_sides(both):
    """The form used to try a move to "" and flash an illegal-move message."""
    api_error(both.post_api("stage", {"stage": " "}), 400)
    assert flashed(both.post_form("stage", {"stage": ""})) == ["Pick a stage first."]
    assert both.stage() == "new"


def test_a_stage_is_read_without_surrounding_whitespace_on_both_sides(both):
    """The form used to refuse " converted " as an illegal move."""
    assert both.post_form("stage", {"stage": " qualified "}).status_code == 200
    assert both.stage() == "qualified"
    assert both.post_api("stage", {"stage": "proposal\n"}).get_json()["stage"] == "proposal"


def test_an_unknown_stage_is_a_refused_move_with_the_legal_ones_on_both_sides(both):
    body = api_error(both.post_api("stage", {"stage": "shipped"}), 409)
    assert "unknown stage" in body["error"] and "lost" in body["legal"]
    [text] = flashed(both.post_form("stage", {"stage": "shipped"}))
    assert text.startswith("Cannot move from New intake to shipped. Allowed: ")


@pytest.mark.parametrize("text", ["", "  \r\n "])
def test_an_empty_reply_is_refused_on_both_sides(both, text):
    api_error(both.post_api("reply", {"text": text}), 400)
    assert flashed(both.post_form("reply", {"text": text})) == ["Write a reply first."]


def test_a_reply_sends_line_breaks_as_the_api_does(both, customer):
    both.post_form("reply", {"text": "জি\r\nবলুন"})
    both.post_api("reply", {"text": "জি\r\nবলুন"})
    texts = [b["message"]["text"] for b in customer("7600000000000001").outbox()[-2:]]
    assert texts == ["জি\nবলুন", "জি\nবলুন"]


# --- the lead filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"source": "billboard"}, "source"),
        ({"q": "ক" * 201}, "q"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
    ],
)
def test_a_filter_that_is_not_one_is_refused_on_both_sides(both, query, field):
    """The page used to ignore these and the API to answer an empty list (or ignore them)."""
    body = api_error(both.api.get("/api/leads", query_string=query, headers=both.headers), 400)
    assert body["field"] == field
    api_error(both.api.get("/api/leads.csv", query_string=query, headers=both.headers), 400)
    page = both.page.get("/staff/leads", query_string=query)
    assert page.status_code == 400 and 'class="flash error"' in page.text
    assert both.page.get("/staff/leads.csv", query_string=query).status_code == 400


def test_the_api_filters_by_date_and_a_long_search_like_the_page(both):
    def api_ids(**query) -> list[int]:
        rows = both.api.get("/api/leads", query_string=query, headers=both.headers).get_json()
        return [r["conversation_id"] for r in rows]

    def page_has(**query) -> bool:
        return f'/staff/c/{both.cid}"' in both.page.get("/staff/leads", query_string=query).text

    assert api_ids(**{"from": "2000-01-01", "to": "9999-12-31"}) == [both.cid]
    assert page_has(**{"from": "2000-01-01", "to": "9999-12-31"})
    assert api_ids(to="2000-01-01") == [] and not page_has(to="2000-01-01")
    assert api_ids(q="  মানুষের  ") == [both.cid] and page_has(q="  মানুষের  ")
    assert api_ids(q="ক" * 200) == [] and not page_has(q="ক" * 200)
