"""What arrived without words: a picture, a video, a voice note, a file, a sticker, a like
or a location. Each gets an answer that names it; what the bot cannot look at or listen to
goes to staff when no question is waiting (a handoff whose reason says what came), and a
like is an acknowledgement, never a failed answer. Owners change the texts and actions in
flows.yaml's ``attachments:`` (bot.book.attachments). Pure, like bot.conversation.decide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.book.attachments import DEFAULT_DO
from bot.book.types import FlowBook, Step
from bot.conversation import runner
from bot.conversation.turn import Action, Handoff, Say, Turn
from bot.i18n import N_
from bot.i18n import gettext as _
from bot.messenger import policy
from bot.messenger.events import Event

# Barta's words for each kind (msgids in locales/); "" says nothing
SAY = {
    "image": N_("Thank you for the picture!"),
    "video": N_("Thank you for the video!"),
    "audio": N_("Thank you for the voice message!"),
    "file": N_("Thank you for the file!"),
    "sticker": N_("Thanks for the sticker! 😊"),
    "like": "",
    "location": N_("Thank you for sharing your location!"),
    "other": N_("Thank you!"),
}
# what staff read in the queue: the reason of the handoff
REASON = {
    "image": "sent a picture",
    "video": "sent a video",
    "audio": "sent a voice note",
    "file": "sent a file",
    "other": "sent an attachment",
}
TEAM = N_("One of our team will look at it and reply shortly.")
_TYPES = {"image": "image", "video": "video", "audio": "audio", "file": "file",
          "location": "location"}  # fmt: skip


def kind_of(ev: Event) -> str | None:
    """What arrived: image, video, audio, file, sticker, like, location, other; None for
    a message with no attachment at all."""
    if ev.sticker_id is not None:
        return "like" if ev.sticker_id in policy.LIKE_STICKERS else "sticker"
    if not ev.attachments:
        return None
    return _TYPES.get(str(ev.attachments[0].get("type") or ""), "other")


def respond(
    book: FlowBook,
    turn: Turn,
    ev: Event,
    step: Step | None,
    new: bool,
    out: list[Action],
    *,
    start_new: Callable[[FlowBook, Turn, list[Action]], None],
    repeat_question: Callable[[FlowBook, Turn, list[Action]], None],
) -> bool:
    """Answer an attachment (True), or False when the event carries none."""
    kind = kind_of(ev)
    if kind is None or (kind == "like" and "like" not in book.attachments):
        return False  # a like is an "ok": small talk (bot.conversation.talk) answers it
    rule = book.attachments.get(kind)
    do = rule.do if rule is not None else DEFAULT_DO[kind]
    say = _words(book, turn, kind, rule.say if rule is not None else None)
    if do == "handoff" and step is None:
        team = _(turn.language, TEAM)
        text = f"{say} {team}" if say else team
        out.append(Handoff(text=text, reason=REASON.get(kind, REASON["other"])))
        return True
    if new:  # a first sticker or location is a hello: the welcome answers it
        start_new(book, turn, out)
    elif say:
        out.append(Say(text=say))
        repeat_question(book, turn, out)
    return True


def _words(book: FlowBook, turn: Turn, kind: str, owner: Mapping[str, Any] | None) -> str:
    if owner is not None:
        return runner.render(book, turn, owner)
    default = SAY[kind]
    return _(turn.language, default) if default else ""
