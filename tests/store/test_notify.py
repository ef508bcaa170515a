"""Wake-ups across processes (PostgreSQL LISTEN/NOTIFY): a follow-up one process queues
wakes the sender of another, not only its own."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import PG, Clock, envelope, post_webhook, text_event
from tests.conversation.test_scheduler import HOUR, ONE_RULE, at


def test_a_follow_up_queued_by_one_process_wakes_the_sender_of_another(make_app):
    if not PG:
        pytest.skip("one process on SQLite: the scheduler wakes its own sender")
    clock = Clock(at(29, 11))
    one = make_app(ONE_RULE, CLOCK=clock).extensions["barta"]
    other_app = make_app(ONE_RULE, CLOCK=clock)
    other = other_app.extensions["barta"]
    listening = threading.Thread(target=other.listen_loop, daemon=True)
    listening.start()
    try:
        assert other.wake_engine.wait(10)  # set once it LISTENs
        resp = post_webhook(
            other_app.test_client(), envelope(text_event("7012345678901234", "হ্যালো"))
        )
        assert resp.status_code == 200
        one.drain()
        other.wake_sender.clear()
        clock.advance(3 * HOUR)
        assert len(one.scheduler.tick()) == 1
        assert other.wake_sender.wait(10)
    finally:
        other.stop.set()
        listening.join(10)
