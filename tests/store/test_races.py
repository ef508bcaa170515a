"""Staff, the scheduler and the engine on one customer at once: nothing one writes is lost.

On SQLite every write transaction is the only one (BEGIN IMMEDIATE). On PostgreSQL many
run at once at READ COMMITTED, so each of these tests stops one side between its read and
its write (a hook, never a sleep), lets the other side go as far as it can, then lets the
first finish: the second side must have waited for the customer (the engine's lock) and
worked on what the first wrote.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from store import conversations, queue
from store.db import connect, write_tx
from tests.conftest import PG, envelope, post_webhook, text_event

PSID = "7012345678901234"


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other side never got there"
        time.sleep(0.002)


class Pause:
    """Stops the thread named ``who`` when it calls ``module.name``, until ``go``."""

    def __init__(self, monkeypatch, module, name: str, who: str) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()
        real = getattr(module, name)

        def paused(*args, **kwargs):
            if threading.current_thread().name == who:
                self.reached.set()
                assert self.go.wait(20), "never let go"
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, paused)


class Side(threading.Thread):
    """One side of a race, in its own thread (its own connection); keeps its error."""

    def __init__(self, name: str, work: Callable[[], object]) -> None:
        super().__init__(name=name, daemon=True)
        self.work = work
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            self.error = e

    def done(self) -> None:
        self.join(20)
        assert not self.is_alive(), f"{self.name} never finished"
        if self.error is not None:
            raise self.error


def waiting_for_a_lock(rt) -> bool:
    """Is some transaction waiting for another (a customer lock; SQLite's writer lock)?"""
    db = rt.db()
    if PG:
        (n,) = db.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
        return n > 0
    return db._barta_writer.waiting > 0


def race(rt, pause: Pause, first: Side, second: Side) -> None:
    """``first`` stops at the pause; ``second`` runs until it ends or waits for a lock;
    then ``first`` goes on. Both must finish without error."""
    first.start()
    assert pause.reached.wait(20), f"{first.name} never reached the pause"
    second.start()
    _until(lambda: not second.is_alive() or waiting_for_a_lock(rt))
    pause.go.set()
    first.done()
    second.done()


@pytest.fixture
def rt(app):
    runtime = app.extensions["barta"]
    runtime.test_client = app.test_client()
    return runtime


def says(rt, text: str, psid: str = PSID) -> None:
    """The customer's message stored by the webhook, not handled yet."""
    resp = post_webhook(rt.test_client, envelope(text_event(psid, text)))
    assert resp.status_code == 200


def read_receipt(rt, psid: str = PSID) -> None:
    """A read receipt stored by the webhook: the engine reads and saves, nothing more."""
    event = {
        "sender": {"id": psid},
        "recipient": {"id": "105511223344556"},
        "timestamp": int(time.time() * 1000),
        "read": {"watermark": int(time.time() * 1000)},
    }
    assert post_webhook(rt.test_client, envelope(event)).status_code == 200


def engine(rt, psid: str = PSID) -> Side:
    """The engine loop's handling of the customer's pending events, on its own connection."""

    def work() -> None:
        db = connect(rt.db_path)
        try:
            assert rt.engine.process(db, psid)
        finally:
            db.close()

    return Side("engine-under-test", work)


def conv(rt) -> dict:
    found = conversations.by_psid(rt.db(), PSID)
    assert found is not None
    return found


@pytest.fixture
def known(rt):
    """A customer the bot has answered once."""
    says(rt, "dam")
    rt.drain()
    return conv(rt)


def test_a_staff_stage_move_while_the_engine_handles_a_message_is_kept(rt, known, monkeypatch):
    target = rt.engine.machine.legal_moves(known["stage"])[0]
    says(rt, "dam")
    pause = Pause(monkeypatch, conversations, "save", "engine-under-test")
    staff = Side("staff", lambda: rt.engine.move_stage(rt.db(), known["id"], target, "rina"))
    race(rt, pause, engine(rt), staff)
    after = conv(rt)
    assert after["stage"] == target
    assert conversations.stage_history(rt.db(), known["id"])[-1]["to"] == target
    assert len(conversations.messages(rt.db(), known["id"])) == 4  # both messages answered


def test_a_staff_reply_while_the_engine_answers_keeps_the_bot_paused(rt, known, monkeypatch):
    says(rt, "dam")
    pause = Pause(monkeypatch, conversations, "save", "engine-under-test")
    staff = Side("staff", lambda: rt.engine.staff_reply(rt.db(), known["id"], "আমি রিনা", "rina"))
    race(rt, pause, engine(rt), staff)
    after = conv(rt)
    assert after["bot_paused"] == 1  # one voice: the person holds the lead
    held = queue.open_for(rt.db(), known["id"])
    assert held is not None and held["claimed_by"] == "rina"


def test_a_release_while_the_engine_handles_a_receipt_gives_the_lead_back(rt, known, monkeypatch):
    rt.engine.staff_reply(rt.db(), known["id"], "আমি রিনা", "rina")
    held = queue.open_for(rt.db(), known["id"])
    assert held is not None and conv(rt)["bot_paused"] == 1
    read_receipt(rt)
    pause = Pause(monkeypatch, conversations, "save", "engine-under-test")
    staff = Side("staff", lambda: rt.engine.release(rt.db(), held["id"], "rina"))
    race(rt, pause, engine(rt), staff)
    assert conv(rt)["bot_paused"] == 0  # not paused for good with nobody holding it
    assert queue.open_for(rt.db(), known["id"]) is None


def test_an_unclaim_and_an_assign_at_once_leave_the_lead_assigned(rt, known, monkeypatch):
    rt.engine.staff_reply(rt.db(), known["id"], "আমি রিনা", "rina")
    held = queue.open_for(rt.db(), known["id"])
    assert held is not None
    pause = Pause(monkeypatch, queue, "unclaim", "agent")
    agent = Side("agent", lambda: rt.engine.unclaim(rt.db(), held["id"], "rina"))
    owner = Side(
        "owner", lambda: rt.engine.assign(rt.db(), held["id"], "mina", "owner", owner=True)
    )
    race(rt, pause, agent, owner)
    after = queue.get(rt.db(), held["id"])
    assert after is not None and after["status"] == "claimed" and after["claimed_by"] == "mina"


def test_the_sender_marking_a_customer_unreachable_is_not_undone_by_the_engine(
    rt, known, monkeypatch
):
    read_receipt(rt)
    pause = Pause(monkeypatch, conversations, "save", "engine-under-test")
    sender = Side("sender", lambda: conversations.mark_unreachable(rt.db(), known["id"]))
    race(rt, pause, engine(rt), sender)
    assert conv(rt)["unreachable"] == 1


def test_a_write_transaction_on_one_customer_does_not_wait_for_another(rt, known):
    """The lock is the customer's: staff on another customer go ahead (PostgreSQL)."""
    if not PG:
        pytest.skip("SQLite has one writer at a time anyway")
    says(rt, "dam", psid="other-customer")
    rt.drain()
    other = conversations.by_psid(rt.db(), "other-customer")
    assert other is not None
    target = rt.engine.machine.legal_moves(other["stage"])[0]
    staff = Side("staff", lambda: rt.engine.move_stage(rt.db(), other["id"], target, "rina"))
    db = connect(rt.db_path)
    try:
        with write_tx(db):
            conversations.lock(db, known["id"])
            staff.start()
            staff.done()  # finished while the first customer is held
    finally:
        db.close()
    assert conversations.get(rt.db(), other["id"])["stage"] == target


def test_no_follow_up_is_queued_while_the_customer_is_writing(make_app, monkeypatch):
    from tests.conftest import Clock
    from tests.conversation.test_scheduler import HOUR, ONE_RULE, at

    clock = Clock(at(29, 11))
    app = make_app(ONE_RULE, CLOCK=clock)
    rt = app.extensions["barta"]
    rt.test_client = app.test_client()
    says(rt, "হ্যালো")
    rt.drain()
    clock.advance(3 * HOUR)  # the follow-up is due ... and the customer writes again
    says(rt, "আছি")
    pause = Pause(monkeypatch, conversations, "save", "engine-under-test")
    scheduler = Side("scheduler", rt.scheduler.tick)
    race(rt, pause, engine(rt), scheduler)
    rows = rt.db().execute("SELECT count(*) FROM outbox WHERE sender = 'followup'").fetchone()
    assert rows[0] == 0
    assert conv(rt)["followups_sent"] == 0
