"""Follow-ups within Messenger's rules (issue #5), on a clock the tests move by hand."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.conversation.scheduler import Scheduler
from bot.errors import WindowClosed
from store import followups
from store.db import connect
from tests.conftest import Clock

DHAKA = ZoneInfo("Asia/Dhaka")
HOUR = 3600.0
REMINDER_BN = "আপনি কি এখনও আগ্রহী?"

FLOWS = """
settings:
  business: {bn: টেস্ট শপ, en: Test Shop}
  languages: [bn, en]
  timezone: Asia/Dhaka
  hours: {days: [sat, sun, mon, tue, wed, thu], open: "10:00", close: "21:00"}
  followup_limit: 2
  quiet_hours: ["22:00", "08:00"]

intents:
  - id: human
    match: [human, agent, manush, মানুষ]
    do: handoff
  - id: stop
    match: [stop, unsubscribe, বন্ধ]
    do: opt_out

flows:
  welcome:
    start_on: [get_started, first_message]
    steps:
      - say: {bn: "আসসালামু আলাইকুম! {business}-এ স্বাগতম।", en: "Hello! Welcome to {business}."}
      - id: need
        ask: {bn: "কোন পণ্যটি খুঁজছেন?", en: "What are you looking for?"}
        choices:
          saree: {bn: শাড়ি, en: Saree}
          kurti: {bn: কুর্তি, en: Kurti}
      - id: budget
        ask: {bn: "আপনার বাজেট কত টাকা?", en: "What is your budget in Taka?"}
        type: number

followups:
"""

ONE_RULE = (
    FLOWS
    + """
  - stage: new
    after: 3h
    say: {bn: "আপনি কি এখনও আগ্রহী?", en: "Are you still interested in {business}?"}
"""
)

THREE_RULES = (
    FLOWS
    + """
  - stage: new
    after: 1h
    say: {bn: "প্রথম", en: "first"}
  - stage: new
    after: 3h
    say: {bn: "দ্বিতীয়", en: "second"}
  - stage: new
    after: 6h
    say: {bn: "তৃতীয়", en: "third"}
"""
)

CONDITIONS = (
    FLOWS
    + """
  - id: saree_lookers
    stage: new
    answer: {need: saree}
    after: 1h
    say: {bn: "শাড়িগুলো দেখেছেন?", en: "Did you look at the sarees?"}
  - id: vip
    stage: new
    label: vip
    after: 1h
    say: {bn: "আপনার জন্য বিশেষ ছাড়", en: "A special discount for you"}
"""
)

LATE_RULE = (
    FLOWS
    + """
  - stage: new
    after: 20h
    say: {bn: "আপনি কি এখনও আগ্রহী?", en: "Are you still interested?"}
"""
)


def at(day: int, hour: int, minute: int = 0) -> float:
    """A moment in Dhaka in March 2026 (the 29th is a Sunday, the shop is open)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=DHAKA).timestamp()


@pytest.fixture
def shop(make_app):
    """An app on a hand-moved clock that starts on Sunday 29 March 2026, 11:00 in Dhaka."""

    def make(flows: str = ONE_RULE, start: float | None = None):
        clock = Clock(start if start is not None else at(29, 11))
        app = make_app(flows, CLOCK=clock)
        return app, clock, app.extensions["barta"]

    return make


def followup_bodies(runtime, psid: str | None = None) -> list[dict]:
    sql = "SELECT body FROM outbox WHERE sender = 'followup'"
    args: tuple = ()
    if psid:
        sql += " AND psid = ?"
        args = (psid,)
    return [json.loads(r[0]) for r in runtime.db().execute(sql + " ORDER BY id", args)]


def texts(bodies: list[dict]) -> list[str]:
    return [b["message"]["text"] for b in bodies]


def test_a_silent_new_lead_is_reminded_after_the_owners_delay_and_not_before(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    assert runtime.scheduler is not None
    clock.advance(3 * HOUR - 60)
    assert runtime.scheduler.tick() == []
    clock.advance(60)
    [outbox_id] = runtime.scheduler.tick()
    [body] = followup_bodies(runtime)
    assert body == {"messaging_type": "UPDATE", "message": {"text": REMINDER_BN}}
    conv = c.conversation()
    assert conv["followups_sent"] == 1
    history = followups.history(runtime.db(), conv["id"])
    assert [(h["status"], h["outbox_id"]) for h in history] == [("queued", outbox_id)]
    from store import conversations

    last = conversations.messages(runtime.db(), conv["id"])[-1]
    assert (last["direction"], last["sender"], last["text"]) == ("out", "bot", REMINDER_BN)
    # one reminder per silence, however often the loop runs
    clock.advance(HOUR)
    assert runtime.scheduler.tick() == []
    assert len(followup_bodies(runtime)) == 1


def test_the_reminder_is_in_the_customers_language_with_placeholders_filled(shop, customer):
    app, clock, runtime = shop()
    customer("7000000000000001", target_app=app).says("Hi, I would like to buy something")
    clock.advance(3 * HOUR)
    runtime.scheduler.tick()
    assert texts(followup_bodies(runtime)) == ["Are you still interested in Test Shop?"]


def test_the_sender_delivers_the_reminder_as_an_update(shop, customer, graph):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(3 * HOUR)
    runtime.scheduler.tick()
    runtime.start()

    def updates() -> list[dict]:
        return [r["body"] for r in graph.requests if r["body"].get("messaging_type") == "UPDATE"]

    with graph.changed:
        assert graph.changed.wait_for(updates, timeout=5)
    [body] = updates()
    assert (body["recipient"], body["message"]["text"]) == ({"id": c.psid}, REMINDER_BN)


def test_never_more_follow_ups_than_the_limit(shop, customer):
    app, clock, runtime = shop(THREE_RULES)
    c = customer(target_app=app)
    c.says("হ্যালো")
    for _ in range(8):
        clock.advance(HOUR)
        runtime.scheduler.tick()
    assert texts(followup_bodies(runtime)) == ["প্রথম", "দ্বিতীয়"]
    conv = c.conversation()
    assert conv["followups_sent"] == 2
    statuses = {
        h["rule"]: (h["status"], h["reason"]) for h in followups.history(runtime.db(), conv["id"])
    }
    assert sorted(statuses.values()) == [("queued", None), ("queued", None), ("skipped", "limit")]


def test_the_limit_starts_again_when_the_customer_writes(shop, customer):
    app, clock, runtime = shop(THREE_RULES)
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(3 * HOUR)
    runtime.scheduler.tick()  # 1h and 3h are both due: only the later one goes
    assert texts(followup_bodies(runtime)) == ["দ্বিতীয়"]
    c.taps("need:saree", "শাড়ি")
    assert c.conversation()["stage"] == "new"
    clock.advance(HOUR)
    runtime.scheduler.tick()
    clock.advance(2 * HOUR)
    runtime.scheduler.tick()
    assert texts(followup_bodies(runtime)) == ["দ্বিতীয়", "প্রথম", "দ্বিতীয়"]
    assert c.conversation()["followups_sent"] == 2


def test_answer_and_label_conditions_choose_the_follow_up(shop, customer):
    app, clock, runtime = shop(CONDITIONS)
    saree, kurti = (
        customer("7000000000000011", target_app=app),
        customer("7000000000000012", target_app=app),
    )
    for c, choice in ((saree, "saree"), (kurti, "kurti")):
        c.says("হ্যালো")
        c.taps(f"need:{choice}", choice)
    from store import conversations

    with runtime.db().conn:
        conversations.add_label(runtime.db(), kurti.conversation()["id"], "vip", clock())
    clock.advance(HOUR)
    runtime.scheduler.tick()
    assert texts(followup_bodies(runtime, saree.psid)) == ["শাড়িগুলো দেখেছেন?"]
    assert texts(followup_bodies(runtime, kurti.psid)) == ["আপনার জন্য বিশেষ ছাড়"]


def test_a_follow_up_due_in_quiet_hours_waits_for_the_morning(shop, customer):
    app, clock, runtime = shop(start=at(29, 20))  # due at 23:00, window open till 20:00
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(3 * HOUR)
    assert runtime.scheduler.tick() == []
    clock.now = at(30, 7, 59)
    assert runtime.scheduler.tick() == []
    clock.now = at(30, 8)
    assert len(runtime.scheduler.tick()) == 1
    assert texts(followup_bodies(runtime)) == [REMINDER_BN]
    assert c.conversation()["window_note"] is None


def test_a_follow_up_due_in_quiet_hours_is_skipped_when_the_window_closes_before_morning(
    shop, customer
):
    app, clock, runtime = shop(LATE_RULE, start=at(29, 3))  # due 23:00, window ends 03:00
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.now = at(29, 23)
    assert runtime.scheduler.tick() == []
    clock.now = at(30, 8)
    assert runtime.scheduler.tick() == []
    assert followup_bodies(runtime) == []
    conv = c.conversation()
    assert conv["window_note"] == "window_closed"
    [h] = followups.history(runtime.db(), conv["id"])
    assert (h["status"], h["reason"]) == ("skipped", "quiet_hours")


def test_no_follow_up_after_opt_out(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    c.says("বন্ধ")
    assert c.conversation()["opted_out"] == 1
    for _ in range(6):
        clock.advance(HOUR)
        runtime.scheduler.tick()
    assert followup_bodies(runtime) == []


def test_no_follow_up_while_a_human_holds_the_conversation(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    c.says("মানুষ")
    assert c.conversation()["bot_paused"] == 1
    for _ in range(6):
        clock.advance(HOUR)
        runtime.scheduler.tick()
    assert followup_bodies(runtime) == []


def test_no_follow_up_during_an_open_handoff_even_if_unpaused(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    c.says("মানুষ")
    db = runtime.db()
    with db.conn:
        db.execute("UPDATE conversations SET bot_paused = 0")
    clock.advance(4 * HOUR)
    runtime.scheduler.tick()
    assert followup_bodies(runtime) == []


def test_no_follow_up_after_the_window_and_the_lead_is_marked(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(25 * HOUR)  # the scheduler was down all that time
    assert runtime.scheduler.tick() == []
    assert followup_bodies(runtime) == []
    conv = c.conversation()
    assert conv["window_note"] == "window_closed"
    [h] = followups.history(runtime.db(), conv["id"])
    assert (h["status"], h["reason"]) == ("skipped", "window_closed")
    # the customer writes again: the window opens, the note goes, reminders may follow
    c.says("আছেন?")
    assert c.conversation()["window_note"] is None
    clock.advance(3 * HOUR)
    assert len(runtime.scheduler.tick()) == 1


def test_no_follow_up_to_an_unreachable_customer(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    db = runtime.db()
    with db.conn:
        db.execute("UPDATE conversations SET unreachable = 1")
    clock.advance(3 * HOUR)
    assert runtime.scheduler.tick() == []


def test_a_customer_who_writes_again_cancels_the_pending_reminder(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(2 * HOUR + 59 * 60)
    c.taps("need:saree", "শাড়ি")  # the silence starts again
    clock.advance(60)
    assert runtime.scheduler.tick() == []
    clock.advance(3 * HOUR - 120)
    assert runtime.scheduler.tick() == []
    clock.advance(60)
    assert len(runtime.scheduler.tick()) == 1
    assert texts(followup_bodies(runtime)) == [REMINDER_BN]


def test_a_queued_reminder_not_yet_sent_is_cancelled_when_the_customer_writes(shop, customer):
    app, clock, runtime = shop()  # the sender is not running: the reminder stays pending
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(3 * HOUR)
    [outbox_id] = runtime.scheduler.tick()
    clock.advance(60)
    c.taps("need:saree", "শাড়ি")
    runtime.scheduler.tick()
    status, error = (
        runtime.db()
        .execute("SELECT status, error FROM outbox WHERE id = ?", (outbox_id,))
        .fetchone()
    )
    assert (status, error) == ("failed", followups.CANCELLED)
    [h] = followups.history(runtime.db(), c.conversation()["id"])
    assert h["status"] == "cancelled"


def test_a_staff_reply_moves_the_silence(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("হ্যালো")
    clock.advance(2 * HOUR)
    runtime.engine.staff_reply(runtime.db(), c.conversation()["id"], "কিছু লাগবে?", "rina")
    # the reply opened a handoff (one voice); resolved, the bot may follow up again
    from store import queue

    held = queue.open_for(runtime.db(), c.conversation()["id"])
    assert held["claimed_by"] == "rina"
    assert runtime.engine.resolve(runtime.db(), held["id"], "rina")
    clock.advance(HOUR)
    assert runtime.scheduler.tick() == []
    clock.advance(2 * HOUR)
    assert len(runtime.scheduler.tick()) == 1


def test_two_schedulers_at_once_send_each_follow_up_exactly_once(shop, customer):
    app, clock, runtime = shop()
    psids = [f"71000000000000{n:02d}" for n in range(20)]
    for psid in psids:
        customer(psid, target_app=app).says("হ্যালো")
    clock.advance(3 * HOUR)
    book, path = runtime.book, runtime.db_path
    loops = [Scheduler(book, path, clock=clock) for _ in range(2)]
    barrier = threading.Barrier(len(loops))
    results: list[list[int]] = [[] for _ in loops]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        db = connect(path)  # each loop its own connection, like two processes
        try:
            barrier.wait()
            for _ in range(3):
                results[i].extend(loops[i].tick(db))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(loops))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(results[0]) + len(results[1]) == len(psids)
    rows = (
        runtime.db()
        .execute("SELECT psid, count(*) FROM outbox WHERE sender = 'followup' GROUP BY psid")
        .fetchall()
    )
    assert sorted(rows) == sorted((p, 1) for p in psids)


def test_the_loop_runs_until_stopped(shop, customer):
    app, clock, runtime = shop()
    customer(target_app=app).says("হ্যালো")
    clock.advance(3 * HOUR)
    loop = Scheduler(
        runtime.book, runtime.db_path, clock=clock, wake=threading.Event(), interval=60
    )
    stop = threading.Event()
    t = threading.Thread(target=loop.run, args=(stop,))
    t.start()
    assert loop.wake.wait(5)
    stop.set()
    t.join(5)
    assert not t.is_alive()
    assert len(followup_bodies(runtime)) == 1


def test_no_scheduler_without_followups(make_app):
    app = make_app(FLOWS.replace("followups:\n", ""))
    assert app.extensions["barta"].scheduler is None


# --- staff replies and Messenger's windows ---------------------------------------------


@pytest.mark.parametrize(
    ("hours_later", "expected"),
    [
        (23, {"messaging_type": "RESPONSE"}),
        (25, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
        (6 * 24 + 23, {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
    ],
)
def test_staff_reply_is_tagged_by_the_time_since_the_customer_wrote(
    shop, customer, hours_later, expected
):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("মানুষ")
    clock.advance(hours_later * HOUR)
    out = runtime.engine.staff_reply(runtime.db(), c.conversation()["id"], "জি বলুন", "rina")
    [body] = [
        json.loads(r[0])
        for r in runtime.db().execute(
            "SELECT body FROM outbox WHERE sender = 'staff' AND id = ?", (out["outbox_ids"][0],)
        )
    ]
    assert body == {**expected, "message": {"text": "জি বলুন"}}
    assert "tag" not in body or out["tag"] == "HUMAN_AGENT"


def test_staff_reply_after_seven_days_is_refused(shop, customer):
    app, clock, runtime = shop()
    c = customer(target_app=app)
    c.says("মানুষ")
    clock.advance(8 * 24 * HOUR)
    before = runtime.db().execute("SELECT count(*) FROM outbox").fetchone()[0]
    with pytest.raises(WindowClosed, match="7 days"):
        runtime.engine.staff_reply(runtime.db(), c.conversation()["id"], "জি বলুন", "rina")
    assert runtime.db().execute("SELECT count(*) FROM outbox").fetchone()[0] == before
