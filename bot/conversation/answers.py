"""Corrections of the last answer: "না না, X", "আসলে X", "sorry, I meant X", "na na X",
"actually X" — X answering the question before the waiting one changes that answer.

``correction`` reads the words after the correction marker; ``corrects`` takes them as the
new answer to the question answered last when they answer it and not the waiting one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.book.types import FlowBook, Step
from bot.conversation import runner
from bot.conversation.choices import FILLERS, OPENER_STARTS, OPENERS, key_of, named
from bot.text import norm

if TYPE_CHECKING:
    from bot.conversation.turn import Turn


def correction(text: str) -> str | None:
    """The answer in "না না, X" / "আসলে X" / "sorry, I meant X"; None when not a correction."""
    if not text.lstrip(" \"'(").lower().startswith(OPENER_STARTS):
        return None
    words = text.split()
    first = norm.tokens(words[0]) if words else []
    if not first or key_of(first[0]) not in OPENERS:
        return None
    i = 0
    while i < len(words) and all(key_of(t) in FILLERS for t in norm.tokens(words[i])):
        i += 1
    rest = " ".join(words[i:]).strip(" ,.;:-–—।")
    return rest if rest and norm.tokens(rest) else None


def corrects(book: FlowBook, turn: Turn, pending: Step, text: str) -> bool | str:
    """Take "না না, X" as a new answer to the question answered last, when X answers it and
    is no answer to the ``pending`` one; True when it was taken. X that answers the pending
    question only without the marker ("না, ৩": its third choice) is given back to answer it;
    False otherwise (the whole message then answers it as usual)."""
    new = correction(text)
    last = turn.state.get("last")
    if new is None or not isinstance(last, list) or len(last) != 2 or last[1] == pending.id:
        return False
    previous = runner.find_step(book, last[0], last[1])
    if previous is None or (previous.type == "text" and not previous.choices):
        return False  # any words answer a free-text question: nothing tells a correction
    # X names a choice of the previous question in words ("three piece", not "3"): that
    # choice, even where the waiting question would read a number in it (budget 3).
    by_name = len(named(previous.choices, norm.tokens(new))) == 1 if previous.choices else False
    if by_name and pending.choices:
        by_name = not named(pending.choices, norm.tokens(text))
    if not by_name and runner.read_answer(book, turn, pending, text, None) is not runner.NOTHING:
        return False
    if not by_name and runner.read_answer(book, turn, pending, new, None) is not runner.NOTHING:
        return new  # "না, ৩" at a question with choices: its third choice
    value = runner.read_answer(book, turn, previous, new, None)
    if value is runner.NOTHING or value is None:
        return False
    runner.save(book, turn, previous, value)
    return True
