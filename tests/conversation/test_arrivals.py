"""What arrives besides words (issue 10, items 3 and 4), through the signed webhook:
receipts, deliveries and reactions that never make a lead, referrals from new and known
customers, and each kind of attachment named, handed to staff or acknowledged."""

from __future__ import annotations

import itertools
import time

import pytest

from store import queue
from tests.conftest import PAGE_ID, envelope, fixture_bytes, post_webhook

PSID = "7012345678901234"
NEED_BN = "কোন পণ্যটি খুঁজছেন?"
WELCOME_BN = "আসসালামু আলাইকুম!"
SORRY_BN = "দুঃখিত"
TEAM_BN = "আমাদের একজন প্রতিনিধি দেখে শিগগিরই উত্তর দেবেন।"
_mids = itertools.count(1)


def deliver(app, body) -> None:
    raw = body if isinstance(body, bytes) else None
    resp = post_webhook(app.test_client(), raw if raw is not None else envelope(*body))
    assert resp.status_code == 200
    app.extensions["barta"].drain()


def attachment(psid: str, kind: str, url: str | None = "https://cdn.example.com/a") -> dict:
    payload = {"url": url} if url else {}
    return {
        "sender": {"id": psid}, "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000) + next(_mids),
        "message": {"mid": f"m_att_{next(_mids)}",
                    "attachments": [{"type": kind, "payload": payload}]},
    }  # fmt: skip


def count(app, table: str) -> int:
    return app.extensions["barta"].db().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- receipts, deliveries, reactions --------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["read.json", "delivery.json", "message_reaction.json", "echo_page_inbox_human.json"]
)
def test_a_receipt_or_reaction_from_a_stranger_makes_no_lead(app, name):
    deliver(app, fixture_bytes(name))
    assert count(app, "conversations") == 0
    assert count(app, "queue") == 0
    db = app.extensions["barta"].db()
    assert db.execute("SELECT count(*) FROM inbox WHERE status != 'done'").fetchone()[0] == 0


def test_receipts_of_a_known_customer_change_no_stage_and_add_no_lead(app, customer):
    c = customer(PSID)
    c.says("সালাম")
    before = c.conversation()
    for name in ("read.json", "delivery.json", "message_reaction.json"):
        deliver(app, fixture_bytes(name))
    assert count(app, "conversations") == 1
    after = c.conversation()
    assert after["stage"] == before["stage"] and after["step"] == before["step"]
    assert c.replies() == []


# --- referrals --------------------------------------------------------------------------------


def test_an_m_me_link_whose_ref_no_flow_names_starts_the_welcome(app, customer):
    c = customer(PSID)
    deliver(app, fixture_bytes("referral_mme_link.json"))
    [welcome] = c.replies()
    assert welcome.startswith(WELCOME_BN) and welcome.endswith(NEED_BN)
    conv = c.conversation()
    assert conv["source"]["ref"] == "eid_offer" and conv["source"]["source"] == "SHORTLINK"
    hello = c.says("Hello")
    assert hello and not any(SORRY_BN in r or "Sorry, I didn't quite" in r for r in hello)


@pytest.mark.parametrize(
    "referral",
    [{"source": "DISCOVER_TAB", "type": "OPEN_THREAD"},
     {"ref": "unknown_ad", "ad_id": "1200", "source": "ADS", "type": "OPEN_THREAD"}],
)  # fmt: skip
def test_a_referral_without_a_flow_welcomes_a_new_customer(app, customer, referral):
    c = customer("7077777777777777")
    event = {"sender": {"id": c.psid}, "recipient": {"id": PAGE_ID},
             "timestamp": int(time.time() * 1000), "referral": referral}  # fmt: skip
    deliver(app, [event])
    [reply] = c.replies()
    assert reply.endswith(NEED_BN)
    assert c.conversation()["source"] == referral


def test_get_started_with_an_m_me_referral_keeps_its_source(app, customer):
    c = customer("7023456789012345")
    deliver(app, fixture_bytes("postback_get_started_mme_referral.json"))
    assert c.replies()[-1].endswith(NEED_BN)
    assert c.conversation()["source"]["ref"] == "fb_post_0314"


def test_a_known_customer_s_referral_is_recorded_without_breaking_the_flow(app, customer):
    c = customer(PSID)
    c.says("সালাম")
    assert c.replies() == [] and c.conversation()["step"] == "need"
    deliver(app, fixture_bytes("referral_ad_existing_thread.json"))
    assert c.replies() == []  # the waiting question stays waiting
    conv = c.conversation()
    assert conv["step"] == "need"
    assert conv["source"]["ad_id"] == "120211223344556677"  # a direct lead now has a source
    [seen] = conv["state"]["sources"]
    assert seen["ref"] == "boishakh_saree_2026" and seen["source"] == "ADS"
    deliver(app, fixture_bytes("referral_mme_link.json"))
    conv = c.conversation()
    assert conv["source"]["ad_id"] == "120211223344556677"  # the first source stays
    assert [s["ref"] for s in conv["state"]["sources"]] == ["boishakh_saree_2026", "eid_offer"]
    assert c.taps("need:saree", "শাড়ি") == ["আপনার বাজেট কত টাকা?"]


# --- attachments ------------------------------------------------------------------------------


def test_a_new_customer_s_screenshot_reaches_staff_and_shows_in_the_workspace(app, customer):
    c = customer(PSID)
    deliver(app, fixture_bytes("image_attachment.json"))
    [reply] = c.replies()
    assert reply.startswith("ছবিটার জন্য ধন্যবাদ!") and TEAM_BN in reply
    conv = c.conversation()
    h = queue.open_for(c.runtime.db(), conv["id"])
    assert h["reason"] == "sent a picture" and h["last_message"] == "[image]"
    from tests.staff.test_api import add_staff

    add_staff(app, "rina", "owner")
    web = app.test_client()
    web.post("/staff/login", data={"name": "rina", "password": "correct horse battery"})
    page = web.get(f"/staff/c/{conv['id']}").get_data(as_text=True)
    assert '<img class="thumb" src="https://' in page


@pytest.mark.parametrize(
    ("kind", "said", "reason"),
    [("audio", "ভয়েস মেসেজটার জন্য ধন্যবাদ!", "sent a voice note"),
     ("video", "ভিডিওটার জন্য ধন্যবাদ!", "sent a video"),
     ("file", "ফাইলটার জন্য ধন্যবাদ!", "sent a file")],
)  # fmt: skip
def test_what_the_bot_cannot_read_goes_to_staff_when_no_question_waits(
    app, customer, kind, said, reason
):
    c = customer(PSID)
    deliver(app, [attachment(PSID, kind)])
    [reply] = c.replies()
    assert reply == f"{said} {TEAM_BN}"
    h = queue.open_for(c.runtime.db(), c.conversation()["id"])
    assert h["reason"] == reason and h["last_message"] == f"[{kind}]"


@pytest.mark.parametrize(
    ("kind", "said"),
    [("audio", "ভয়েস মেসেজটার জন্য ধন্যবাদ!"), ("video", "ভিডিওটার জন্য ধন্যবাদ!"),
     ("file", "ফাইলটার জন্য ধন্যবাদ!"), ("image", "ছবিটার জন্য ধন্যবাদ!")],
)  # fmt: skip
def test_while_a_question_waits_an_attachment_is_named_and_the_question_asked_again(
    app, customer, kind, said
):
    c = customer(PSID)
    c.says("সালাম")
    c.replies()
    deliver(app, [attachment(PSID, kind)])
    assert c.replies() == [f"{said}\n\n{NEED_BN}"]
    assert queue.open_for(c.runtime.db(), c.conversation()["id"]) is None


def test_a_voice_note_shows_as_a_player_in_the_workspace(app, customer):
    c = customer(PSID)
    deliver(app, [attachment(PSID, "audio", "https://cdn.fbsbx.com/v/audioclip.mp4")])
    deliver(app, [attachment(PSID, "audio", "javascript:alert(1)")])
    from tests.staff.test_api import add_staff

    add_staff(app, "rina", "owner")
    web = app.test_client()
    web.post("/staff/login", data={"name": "rina", "password": "correct horse battery"})
    page = web.get(f"/staff/c/{c.conversation()['id']}").get_data(as_text=True)
    assert '<audio class="voice" controls preload="none" src="https://cdn.fbsbx.com/' in page
    assert 'src="javascript:' not in page and 'href="javascript:' not in page


def test_a_like_is_an_acknowledgement_never_a_failed_answer(app, customer):
    c = customer("7023456789012345")
    deliver(app, fixture_bytes("sticker_like.json"))  # a new customer: the welcome
    assert c.replies()[-1].endswith(NEED_BN)
    deliver(app, fixture_bytes("sticker_like.json").replace(b"m_", b"m_again_"))
    assert c.replies() == [NEED_BN]  # an "ok": the question again, nothing counted against them
    conv = c.conversation()
    assert conv["step"] == "need" and conv["retries"] == 0
    assert queue.open_for(c.runtime.db(), conv["id"]) is None


def test_a_location_is_named(app, customer):
    c = customer(PSID)
    c.says("সালাম")
    c.replies()
    deliver(app, fixture_bytes("legacy_location_attachment.json"))
    assert c.replies() == [f"লোকেশন পাঠানোর জন্য ধন্যবাদ!\n\n{NEED_BN}"]


OWNER_FLOWS = """
settings:
  business: Rongdhonu
  languages: [bn, en]
attachments:
  audio: {say: {bn: "ভয়েস পেয়েছি, লিখে জানালে ভালো হয়।", en: "Got your voice note; please write."}, do: reply}
  image: {say: "📷", do: handoff}
flows:
  welcome:
    start_on: [first_message]
    steps:
      - ask: {bn: "কী খুঁজছেন?", en: "What are you looking for?"}
        id: need
        choices: {saree: {bn: শাড়ি, en: Saree}}
"""


def test_owners_change_the_texts_and_actions_in_flows_yaml(make_app, customer):
    app = make_app(OWNER_FLOWS)
    c = customer(PSID, target_app=app)
    deliver(app, [attachment(PSID, "audio")])
    assert c.replies() == ["কী খুঁজছেন?"]  # a new customer: the welcome
    deliver(app, [attachment(PSID, "audio")])
    assert c.replies() == ["ভয়েস পেয়েছি, লিখে জানালে ভালো হয়।\n\nকী খুঁজছেন?"]
    assert queue.open_for(c.runtime.db(), c.conversation()["id"]) is None
    other = customer("7088888888888888", target_app=app)
    deliver(app, [attachment(other.psid, "image")])
    assert other.replies() == [f"📷 {TEAM_BN}"]


@pytest.mark.parametrize(
    ("section", "problem"),
    [("attachments:\n  imgae: {do: reply}\n", "unknown key 'imgae' in attachments"),
     ("attachments:\n  audio: {do: ignore}\n", "attachments: audio do"),
     ("attachments: [image]\n", "attachments should be a map")],
)  # fmt: skip
def test_check_reports_a_wrong_attachments_section(tmp_path, section, problem):
    from bot.book.compiler import load_book

    head, tail = OWNER_FLOWS.split("attachments:\n")
    tail = tail.split("flows:\n", 1)[1]
    path = tmp_path / "flows.yaml"
    path.write_text(f"{head}{section}flows:\n{tail}", encoding="utf-8")
    _book, problems = load_book(str(path))
    assert any(problem in str(p) for p in problems), problems
