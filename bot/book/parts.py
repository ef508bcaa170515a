"""The message parts of a step and of the menu: choices, buttons and cards.

Each is checked against Messenger's limits here; a button or choice that leads to a flow or
an intent records the name in ``Context.refs`` for the cross checks.
"""

from __future__ import annotations

from typing import Any

from bot.book.context import Context
from bot.book.loader import Map
from bot.book.messages import message
from bot.book.report import NAME, Where, kind_of
from bot.book.types import Button, Card, Choice
from bot.messenger.policy import (
    CARD_TEXT_LIMIT,
    MAX_BUTTONS,
    MAX_CARDS,
    PAYLOAD_FLOW,
    PAYLOAD_INTENT,
    PAYLOAD_LIMIT,
    TITLE_LIMIT,
)
from bot.messenger.policy import MAX_QUICK_REPLIES as MAX_CHOICES


def read_choices(c: Context, value: Any, where: Where) -> tuple[Choice, ...]:
    r = c.r
    if value is None:
        return ()
    if not isinstance(value, Map):
        r.error(where, "choices.wrong", kind=kind_of(value))
        return ()
    if len(value) > MAX_CHOICES:
        r.error(where, "choices.many", count=len(value), most=MAX_CHOICES)
    out = []
    for key, item in value.items():
        at = value.where(key)
        if r.word(key, at, "choice key", NAME) is None:
            continue
        extra = ("score", "goto", "label", "match")
        label_src = item.get("label") if isinstance(item, Map) and "label" in item else item
        label = r.text(label_src, at, f"choice {key!r}", limit=TITLE_LIMIT, extra=extra)
        score, goto = 0, None
        match: tuple[str, ...] = ()
        if isinstance(item, Map):
            if "match" in item:
                match = read_match(c, item["match"], item.where("match"), key)
            if "label" in item:
                r.keys(item, extra, f"choice {key!r}")
            if "score" in item:
                score = r.integer(item["score"], item.where("score"), "score") or 0
            if item.get("goto") is not None:
                goto = r.word(item["goto"], item.where("goto"), "goto")
                if goto:
                    c.refs.flow(goto, item.where("goto"), f"choice {key!r} goto")
        if label is not None:
            out.append(Choice(str(key), label, score, goto, match))
    return tuple(out)


def read_match(c: Context, value: Any, where: Where, key: str) -> tuple[str, ...]:
    """A choice's ``match:`` words: a word or a list of words, each non-empty."""
    items = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(items, list):
        c.r.error(where, "choice.match_wrong", key=key, kind=kind_of(value))
        return ()
    words = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            c.r.error(where, "choice.match_word", key=key, word=item)
            continue
        words.append(str(item).strip())
    return tuple(words)


def read_buttons(
    c: Context, value: Any, where: Where, limit: int, most: int, what: str = "buttons"
) -> tuple[Button, ...]:
    items = c.r.seq(value, where, what)
    if items is None:
        return ()
    if len(items) > most:
        c.r.error(where, "buttons.many", count=len(items), what=what, most=most)
    out = []
    for i, item in enumerate(items):
        button = read_button(c, item, items.where(i), limit)
        if button is not None:
            out.append(button)
    return tuple(out)


def read_button(c: Context, item: Any, where: Where, limit: int) -> Button | None:
    r = c.r
    if not isinstance(item, Map):
        r.error(where, "button.wrong", kind=kind_of(item))
        return None
    r.keys(item, ("title", "url", "flow", "payload", "intent"), "a button")
    title = r.text(item.get("title"), item.where("title"), "the button title", limit=limit)
    given = [k for k in ("url", "flow", "payload", "intent") if item.get(k) is not None]
    if len(given) != 1:
        has = message("button.has", keys=", ".join(given)) if given else ""
        r.error(where, "button.one", has=has)
        return None
    key = given[0]
    at = item.where(key)
    url = payload = None
    if key == "url":
        url = r.url(item["url"], at, "url")
    elif key == "flow":
        target = r.word(item["flow"], at, "flow")
        if target:
            c.refs.flow(target, at, "button flow")
            payload = f"{PAYLOAD_FLOW}{target}"
    elif key == "intent":
        target = r.word(item["intent"], at, "intent")
        if target:
            c.refs.intents.append((target, at, "button intent"))
            payload = f"{PAYLOAD_INTENT}{target}"
    else:
        payload = r.word(item["payload"], at, "payload")
        if payload and len(payload) > PAYLOAD_LIMIT:
            r.error(at, "payload.long", length=len(payload), limit=PAYLOAD_LIMIT)
        elif payload:
            c.refs.postbacks.append((payload, at))
    if title is None or (url is None and payload is None):
        return None
    return Button(title, url=url, payload=payload)


def read_cards(c: Context, value: Any, where: Where) -> tuple[Card, ...]:
    r = c.r
    items = r.seq(value, where, "cards")
    if items is None:
        return ()
    if len(items) > MAX_CARDS:
        r.error(where, "cards.many", count=len(items), most=MAX_CARDS)
    out = []
    for i, item in enumerate(items):
        at = items.where(i)
        if not isinstance(item, Map):
            r.error(at, "card.wrong", kind=kind_of(item))
            continue
        r.keys(item, ("title", "subtitle", "image", "price", "buttons"), "a card")
        title = r.text(
            item.get("title"), item.where("title"), "the card title", limit=CARD_TEXT_LIMIT
        )
        subtitle = image = price = None
        if item.get("subtitle") is not None:
            subtitle = r.text(
                item["subtitle"],
                item.where("subtitle"),
                "the card subtitle",
                limit=CARD_TEXT_LIMIT,
            )
        if item.get("image") is not None:
            image = r.url(item["image"], item.where("image"), "image")
        if item.get("price") is not None:
            p = item["price"]
            if isinstance(p, bool) or not isinstance(p, int | float) or p < 0:
                r.error(item.where("price"), "card.price", kind=kind_of(p))
            else:
                price = float(p)
        buttons = read_buttons(
            c, item.get("buttons"), item.where("buttons"), TITLE_LIMIT, MAX_BUTTONS
        )
        if title is not None:
            out.append(Card(title, subtitle, image, price, buttons))
    return tuple(out)
