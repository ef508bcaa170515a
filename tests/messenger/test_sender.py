"""The sender: retries, permanent errors, per-customer order, offline mode — over a real
loopback Graph API and a real SQLite file."""

from __future__ import annotations

import json
import time

from bot.messenger.sender import Sender
from store import outbox
from store.db import connect, write_tx
from tests.conftest import Clock


def queue_texts(db_path, psid, texts, conversation_id=None, now=None):
    db = connect(db_path)
    with write_tx(db):
        ids = [
            outbox.enqueue(
                db,
                conversation_id,
                psid,
                {"messaging_type": "RESPONSE", "message": {"text": t}},
                time.time() if now is None else now,
            )
            for t in texts
        ]
    return ids


def rows(db_path):
    db = connect(db_path)
    return db.execute(
        "SELECT id, psid, status, attempts, error_code, message_id FROM outbox ORDER BY id"
    ).fetchall()


def run_until(app, predicate, rounds=50):
    """Deliver in this thread what is due, moving the test clock to each retry in turn."""
    sender = app.extensions["barta"].sender
    clock = app.config["CLOCK"]
    db = sender._db()
    for _ in range(rounds):
        if predicate():
            return True
        for psid in outbox.due_psids(db, clock()):
            sender.deliver(psid)
        if predicate():
            return True
        later = [t for t in (outbox.next_due_at(db, after=clock()), sender.paused_until) if t]
        if not later or max(later) <= clock():
            return predicate()
        clock.now = max(later)  # the next retry, or the end of a pause
    return False


def wait_for_threads(app, predicate, timeout=10.0):
    """Start the real sender threads; wait, on the sender's own signal, until ``predicate``."""
    runtime = app.extensions["barta"]
    runtime.start()
    runtime.wake_sender.set()
    done = runtime.sender.batch_done
    while True:
        done.clear()
        if predicate():
            return True
        if not done.wait(timeout):
            return predicate()


def test_replies_reach_the_graph_api_with_metadata_and_token(make_app, graph):
    app = make_app()  # the real threads and the real clock
    path = app.config["BOT_DB"]
    (row_id,) = queue_texts(path, "7012345678901234", ["আসসালামু আলাইকুম"])
    assert wait_for_threads(app, lambda: rows(path)[0][2] == "sent")
    (req,) = [r for r in graph.requests]
    assert req["path"] == "/v25.0/me/messages"
    assert req["token"] == "test-page-token"
    assert req["body"]["recipient"] == {"id": "7012345678901234"}
    assert req["body"]["message"]["text"] == "আসসালামু আলাইকুম"
    assert req["body"]["message"]["metadata"] == f"barta:outbox:{row_id}"
    assert rows(path)[0][5].startswith("m_fake_")


def test_transient_errors_are_retried_until_delivered(make_app, clock, graph):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    graph.fail_next("error_transient_2", times=2)
    queue_texts(path, "7012345678901234", ["hello"], now=clock())
    assert run_until(app, lambda: rows(path)[0][2] == "sent")
    statuses = [r["status"] for r in graph.requests]
    assert statuses == [500, 500, 200]
    assert graph.texts("7012345678901234") == ["hello"]
    assert rows(path)[0][3] == 3  # attempts


def test_rate_limits_are_retried(make_app, clock, graph):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    graph.fail_next("error_rate_limit_613")
    graph.fail_next("error_temporary_send_failure_1200")
    queue_texts(path, "7012345678901234", ["one"], now=clock())
    assert run_until(app, lambda: rows(path)[0][2] == "sent")
    assert graph.texts() == ["one"]


def test_blocked_customer_is_recorded_not_retried(make_app, clock, graph, customer):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    c = customer("7023456789012345", target_app=app)
    c.says("hello")  # a conversation with replies queued
    graph.fail_next("error_user_unavailable_551_1545041", psid="7023456789012345")
    assert run_until(app, lambda: all(r[2] != "pending" for r in rows(path)))
    clock.advance(3600)  # would a retry ever happen? nothing is left to try
    assert outbox.due_psids(connect(path), clock()) == []
    app.extensions["barta"].sender.deliver("7023456789012345")
    sent_to_b = [r for r in graph.requests if r["psid"] == "7023456789012345"]
    assert len(sent_to_b) == 1
    statuses = {r[2] for r in rows(path)}
    assert statuses == {"failed"}
    assert rows(path)[0][4] == 551
    assert c.conversation()["unreachable"] == 1


def test_outside_window_is_recorded_and_marked_on_the_lead(make_app, clock, graph, customer):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    c = customer("7012345678901234", target_app=app)
    c.says("hello")
    graph.fail_next("error_outside_window_10_2018278", times=10)
    assert run_until(app, lambda: all(r[2] != "pending" for r in rows(path)))
    assert {r[2] for r in rows(path)} == {"failed"}
    assert all(r[4] == 10 for r in rows(path))
    assert c.conversation()["window_note"] == "window_closed"


def test_an_expired_token_pauses_sending_and_keeps_the_outbox(make_app, clock, graph):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    graph.fail_next("error_token_expired_190_463")
    queue_texts(path, "7012345678901234", ["a", "b"], now=clock())
    runtime = app.extensions["barta"]
    assert run_until(app, lambda: runtime.sender.state.startswith("stopped"))
    clock.advance(30)  # still inside the pause: nothing goes, even when asked
    runtime.sender.deliver("7012345678901234")
    assert [r[2] for r in rows(path)] == ["pending", "pending"]
    assert len(graph.requests) == 1
    assert app.test_client().get("/healthz").get_json()["sender"].startswith("stopped")


def test_order_per_customer_is_kept_under_retries(make_app, clock, graph):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    graph.fail_next("error_transient_2", times=3, psid="A")
    queue_texts(path, "A", ["a1", "a2", "a3"], now=clock())
    queue_texts(path, "B", ["b1", "b2"], now=clock())
    assert run_until(app, lambda: all(r[2] == "sent" for r in rows(path)))
    assert graph.texts("A") == ["a1", "a2", "a3"]
    assert graph.texts("B") == ["b1", "b2"]
    # B was not held up behind A's retries
    first_a = next(r["at"] for r in graph.requests if r["psid"] == "A" and r["status"] == 200)
    last_b = max(r["at"] for r in graph.requests if r["psid"] == "B")
    assert last_b <= first_a


def test_invalid_parameter_is_dropped_and_the_next_reply_goes(make_app, clock, graph):
    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    graph.fail_next("error_invalid_parameter_100", psid="A")
    queue_texts(path, "A", ["bad", "good"], now=clock())
    assert run_until(app, lambda: all(r[2] != "pending" for r in rows(path)))
    assert [r[2] for r in rows(path)] == ["failed", "sent"]
    assert graph.texts("A") == ["good"]


def test_graph_api_down_then_up_delivers_everything(tmp_path, graph):
    path = str(tmp_path / "down.db")
    from store.db import migrate

    migrate(connect(path))
    from bot.messenger.graph import Messenger

    dead = "http://127.0.0.1:9/v25.0"  # nothing listens on the discard port
    target = {"url": dead}
    clock = Clock()
    sender = Sender(
        path, lambda: Messenger(target["url"], "test-page-token"), backoff=0.05, clock=clock
    )
    queue_texts(path, "A", ["x", "y"], now=clock())
    sender.deliver("A")
    assert [r[2] for r in rows(path)] == ["pending", "pending"]
    assert rows(path)[0][3] == 1
    target["url"] = graph.url
    sender._local.client = None
    sender.deliver("A")  # the retry is not due yet
    assert graph.requests == []
    clock.advance(1)
    sender.deliver("A")
    assert graph.texts("A") == ["x", "y"]


def test_offline_mode_keeps_replies_without_sending(make_app, graph):
    app = make_app(online=False)  # the real threads: the dispatcher finds the row
    path = app.config["BOT_DB"]
    queue_texts(path, "7012345678901234", ["kept"])
    assert wait_for_threads(app, lambda: rows(path)[0][2] == "kept")
    assert graph.requests == []


def test_own_echo_settles_a_send_whose_answer_was_lost(make_app, clock, graph, customer):
    from tests.conftest import envelope, post_webhook

    app = make_app(CLOCK=clock)
    path = app.config["BOT_DB"]
    (row_id,) = queue_texts(path, "7012345678901234", ["timed out?"])
    echo = {
        "sender": {"id": "105511223344556"},
        "recipient": {"id": "7012345678901234"},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": "m_echoed", "is_echo": True, "app_id": 1122334455667788,
                    "metadata": f"barta:outbox:{row_id}", "text": "timed out?"},
    }  # fmt: skip
    assert post_webhook(app.test_client(), envelope(echo)).status_code == 200
    app.extensions["barta"].drain()
    assert rows(path)[0][2] == "sent"
    assert rows(path)[0][5] == "m_echoed"
    json.dumps(graph.requests)


def test_a_kick_delivers_without_waiting_for_the_dispatcher(tmp_path, graph):
    from concurrent.futures import ThreadPoolExecutor

    from bot.messenger.graph import Messenger
    from store.db import migrate

    path = str(tmp_path / "kick.db")
    migrate(connect(path))
    sender = Sender(path, lambda: Messenger(graph.url, "test-page-token"))
    queue_texts(path, "A", ["এক", "দুই"])
    with ThreadPoolExecutor(2) as pool:
        sender._pool = pool  # what run() sets; its dispatcher never looks here
        sender.kick("A")
    assert graph.texts("A") == ["এক", "দুই"]
    assert sender._busy == set()


def test_replies_written_while_a_customer_is_being_delivered_still_go(tmp_path, graph):
    """The engine kicks a customer a worker is already on: the worker looks once more."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.messenger.graph import Messenger
    from store.db import migrate

    path = str(tmp_path / "again.db")
    migrate(connect(path))

    class EngineWritesMeanwhile(Sender):
        calls = 0

        def deliver(self, psid):
            left = super().deliver(psid)
            self.calls += 1
            if self.calls == 1:  # after the worker's last look, before it lets go
                queue_texts(path, psid, ["second"])
                self.kick(psid)
            return left

    sender = EngineWritesMeanwhile(path, lambda: Messenger(graph.url, "test-page-token"))
    queue_texts(path, "B", ["first"])
    with ThreadPoolExecutor(2) as pool:
        sender._pool = pool
        sender.kick("B")
    assert graph.texts("B") == ["first", "second"]
    assert sender.calls == 2
    assert sender._busy == set() and sender._again == set()
