"""The takeover model: what staff do to a lead, each in its own transaction.

A staff reply claims the lead and pauses the bot; release gives it back to the bot (the
pending question is asked again), resolve closes it quietly; unclaim and assign move the
claim; move_stage is a staff stage move. ``Takeover`` is the part of the ``Engine`` that
does these (the Engine's public methods).
"""

from __future__ import annotations

import sqlite_utils

from bot.conversation import runner
from bot.conversation.runner import Action, Ask
from bot.conversation.write import Writer
from bot.errors import AlreadyClaimed, Forbidden, HandoffClosed, NotFound, StageError, WindowClosed
from bot.messenger import bodies, policy
from store import conversations, queue
from store.db import write_tx


class Takeover(Writer):
    """Staff take a lead from the bot and give it back."""

    def _resume(
        self, db: sqlite_utils.Database, conv: dict, now: float, *, ask: bool = True
    ) -> None:
        """The bot speaks again; ``ask``: the pending question again (inside the window)."""
        conv["bot_paused"] = 0
        conv["retries"] = 0
        if not ask:
            conv["flow"] = conv["step"] = None  # the next message is decided afresh
            return
        if not policy.in_window(conv["last_customer_at"], now) or conv["unreachable"]:
            return
        turn = self._turn(db, conv, now)
        step = runner.pending_step(self.book, turn)
        if step is not None and step.kind == "ask":
            again: list[Action] = [Ask(step=step, text=runner.render(self.book, turn, step.text))]
            self._apply(db, conv, turn, again, now)

    def _load(self, db: sqlite_utils.Database, conversation_id: int) -> dict:
        conv = conversations.get(db, conversation_id)
        if conv is None:
            raise NotFound(f"conversation {conversation_id} does not exist")
        return conv

    def move_stage(
        self, db: sqlite_utils.Database, conversation_id: int, stage: str, by: str
    ) -> dict:
        """A staff stage move; raises StageError naming the legal moves."""
        with write_tx(db):
            conversations.lock(db, conversation_id)  # staff, engine: one at a time
            now = self.clock()
            conv = self._load(db, conversation_id)
            engine = self.engine_of(conv)  # the stages of the conversation's Page
            if stage == conv["stage"]:
                raise StageError(conv["stage"], stage, engine.machine.legal_moves(conv["stage"]))
            engine._move(db, conv, stage, f"staff {by}", now)
            conversations.save(db, conv, now)
        return conv

    def staff_reply(
        self,
        db: sqlite_utils.Database,
        conversation_id: int,
        text: str,
        by: str,
        *,
        owner: bool = False,
    ) -> dict:
        """Queue a staff reply: RESPONSE in the window, HUMAN_AGENT up to 7 days, else refuse.

        One voice: the reply opens a handoff claimed by ``by`` (or claims the open one) and
        pauses the bot. An agent may not answer a lead another person claimed
        (AlreadyClaimed); an owner's reply takes the claim.
        """
        text = text.strip()
        if not text:
            raise ValueError("the reply is empty")
        with write_tx(db):
            conversations.lock(db, conversation_id)
            now = self.clock()
            conv = self._load(db, conversation_id)
            held = queue.open_for(db, conversation_id)
            if (
                held is not None
                and held["status"] == "claimed"
                and held["claimed_by"] not in (by, queue.PAGE_INBOX)
                and not owner
            ):
                raise AlreadyClaimed(held["claimed_by"])
            tag = policy.reply_tag(conv["last_customer_at"], now)
            if tag == "closed":
                raise WindowClosed(
                    "More than 7 days have passed since the customer last wrote; Messenger "
                    "allows no message until they write again."
                )
            ids = []
            for part in bodies.split_text(text):
                body = bodies.message({"text": part}, tag=tag or None)
                ids.append(self._send(db, conv, body, part, now, sender="staff", author=by))
            queue.take(db, conversation_id, by, "staff_reply", now)
            queue.note_response(db, conversation_id, now)
            conv["bot_paused"] = 1
            conversations.save(db, conv, now)
        return {"outbox_ids": ids, "tag": tag or None}

    def _open_item(self, db: sqlite_utils.Database, handoff_id: int) -> dict:
        item = queue.get(db, handoff_id)
        if item is None:
            raise NotFound(f"handoff {handoff_id} does not exist")
        if item["status"] not in queue.OPEN:
            raise HandoffClosed(item["status"])
        return item

    def release(self, db: sqlite_utils.Database, handoff_id: int, by: str) -> bool:
        """Back to the bot now: the handoff closes and the pending question is asked again."""
        return self._close(db, handoff_id, "released", ask=True)

    def resolve(self, db: sqlite_utils.Database, handoff_id: int, by: str) -> bool:
        """Done: the handoff closes; the bot says nothing now and answers the next message."""
        return self._close(db, handoff_id, "resolved", ask=False)

    def _close(self, db: sqlite_utils.Database, handoff_id: int, status: str, *, ask: bool) -> bool:
        with write_tx(db):
            queue.lock(db, handoff_id)
            now = self.clock()
            item = queue.get(db, handoff_id)
            if item is None:
                raise NotFound(f"handoff {handoff_id} does not exist")
            ok = queue.close(db, handoff_id, status, now)
            if ok:
                conv = self._load(db, item["conversation_id"])
                self.engine_of(conv)._resume(db, conv, now, ask=ask)
                conversations.save(db, conv, now)
        return ok

    def unclaim(
        self, db: sqlite_utils.Database, handoff_id: int, by: str, *, owner: bool = False
    ) -> dict:
        """Back to waiting for anyone: the claimant's or an owner's call."""
        with write_tx(db):
            queue.lock(db, handoff_id)
            item = self._open_item(db, handoff_id)
            if item["status"] != "claimed":
                raise AlreadyClaimed(None, "waiting", "this handoff is waiting, not claimed")
            if item["claimed_by"] != by and not owner:
                raise Forbidden(f"only {item['claimed_by']} or an owner may unclaim this lead")
            queue.unclaim(db, handoff_id)
            return {**item, "status": "waiting", "claimed_by": None}

    def assign(
        self, db: sqlite_utils.Database, handoff_id: int, to: str, by: str, *, owner: bool = False
    ) -> dict:
        """Hand the lead to ``to`` (a staff member, checked by the caller): an owner's or the
        current claimant's call."""
        with write_tx(db):
            queue.lock(db, handoff_id)
            now = self.clock()
            item = self._open_item(db, handoff_id)
            if not owner and not (item["status"] == "claimed" and item["claimed_by"] == by):
                raise Forbidden("only an owner or the person who claimed this lead may assign it")
            queue.assign(db, handoff_id, to, now)
            return {**item, "status": "claimed", "claimed_by": to}
