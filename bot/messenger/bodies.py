"""Actions → Send API message bodies, within Messenger's limits. Pure."""

from __future__ import annotations

from typing import Any

from bot.i18n import format_number, pick
from bot.messenger.policy import (
    BUTTON_TEXT_LIMIT,
    CARD_TEXT_LIMIT,
    IG_MAX_QUICK_REPLIES,
    IG_QUICK_REPLY_TYPES,
    IG_TEMPLATES,
    IG_TEXT_BYTES,
    MAX_BUTTONS,
    TEXT_LIMIT,
    TITLE_LIMIT,
    utf8_len,
)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Long text in pieces Messenger accepts, broken at a line or a space."""
    parts = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def message(msg: dict[str, Any], messaging_type: str = "RESPONSE", tag: str | None = None) -> dict:
    body: dict[str, Any] = {"messaging_type": messaging_type, "message": msg}
    if tag:
        body["messaging_type"] = "MESSAGE_TAG"
        body["tag"] = tag
    return body


def button(b, lang: str, default: str) -> dict[str, Any]:
    title = _cut(pick(b.title, lang, default), TITLE_LIMIT)
    if b.url:
        return {"type": "web_url", "title": title, "url": b.url}
    return {"type": "postback", "title": title, "payload": b.payload or title}


def price_text(price: float, currency: str, lang: str) -> str:
    amount = format_number(price, lang)
    if currency == "BDT":
        return f"৳{amount}" if lang == "bn" else f"Tk {amount}"
    return f"{amount} {currency}"


def say_bodies(say, lang: str, default: str, currency: str) -> list[tuple[dict, str, dict | None]]:
    """One Say → [(body, text for the log, data for the log)]."""
    out: list[tuple[dict, str, dict | None]] = []
    text = say.text or ""
    if say.buttons:
        buttons = [button(b, lang, default) for b in say.buttons[:MAX_BUTTONS]]
        payload = {
            "template_type": "button",
            "text": _cut(text or "…", BUTTON_TEXT_LIMIT),
            "buttons": buttons,
        }
        out.append(
            (
                message({"attachment": {"type": "template", "payload": payload}}),
                text,
                {"buttons": [b["title"] for b in buttons]},
            )
        )
    elif text:
        for part in split_text(text):
            out.append((message({"text": part}), part, None))
    if say.image:
        attachment = {"type": "image", "payload": {"url": say.image, "is_reusable": True}}
        out.append((message({"attachment": attachment}), "", {"image": say.image}))
    if say.cards:
        elements, logged = [], []
        for card in say.cards[:10]:
            title = _cut(pick(card.title, lang, default), CARD_TEXT_LIMIT)
            subtitle = pick(card.subtitle, lang, default) if card.subtitle else ""
            if card.price is not None:
                price = price_text(card.price, currency, lang)
                subtitle = f"{price} · {subtitle}" if subtitle else price
            element: dict[str, Any] = {"title": title}
            if subtitle:
                element["subtitle"] = _cut(subtitle, CARD_TEXT_LIMIT)
            if card.image:
                element["image_url"] = card.image
            if card.buttons:
                element["buttons"] = [button(b, lang, default) for b in card.buttons[:3]]
            elements.append(element)
            logged.append({k: element.get(k) for k in ("title", "subtitle", "image_url")})
        payload = {"template_type": "generic", "elements": elements}
        out.append(
            (
                message({"attachment": {"type": "template", "payload": payload}}),
                "",
                {"cards": logged},
            )
        )
    return out


YES_NO = {"bn": ("হ্যাঁ", "না"), "en": ("Yes", "No")}


def ask_body(ask, lang: str, default: str, lead: str = "") -> tuple[dict, str, dict | None]:
    """A question, with its choices as quick replies (≤ 13, titles ≤ 20 characters),
    after ``lead``: what the bot said just before it, in the same message."""
    step = ask.step
    quick: list[dict[str, Any]] = []
    if step.choices:
        for choice in step.choices[:13]:
            quick.append(
                {
                    "content_type": "text",
                    "title": _cut(pick(choice.label, lang, default), TITLE_LIMIT),
                    "payload": f"{step.id}:{choice.key}",
                }
            )
    elif step.type == "yes_no":
        yes, no = YES_NO.get(lang, YES_NO["en"])
        quick = [
            {"content_type": "text", "title": yes, "payload": f"{step.id}:yes"},
            {"content_type": "text", "title": no, "payload": f"{step.id}:no"},
        ]
    elif step.type == "phone":
        quick = [{"content_type": "user_phone_number"}]
    elif step.type == "email":
        quick = [{"content_type": "user_email"}]
    text = f"{lead}\n\n{ask.text}" if lead else ask.text or "…"
    msg: dict[str, Any] = {"text": _cut(text, TEXT_LIMIT)}
    if quick:
        msg["quick_replies"] = quick
    titles = [q["title"] for q in quick if "title" in q]
    return message(msg), text, ({"quick_replies": titles} if titles else None)


# --- Instagram ---------------------------------------------------------------------------


def split_bytes(text: str, limit: int = IG_TEXT_BYTES) -> list[str]:
    """Long text in pieces of at most ``limit`` UTF-8 bytes (Instagram counts bytes: a
    Bangla letter is three), broken at a line or a space."""
    parts = []
    while utf8_len(text) > limit:
        # the longest prefix that fits, then back to a line or a space in its second half
        n = len(text.encode("utf-8")[:limit].decode("utf-8", "ignore"))
        cut = max(text.rfind("\n", 0, n), text.rfind(" ", 0, n))
        cut = cut if cut > n // 2 else n
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def for_instagram(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One outbox body as Instagram takes it: text over 1000 bytes in several messages
    (quick replies on the last), quick replies of kinds it lacks left out, a template it
    lacks as its text."""
    msg = dict(body.get("message") or {})
    if not msg:
        return [body]
    attachment = msg.get("attachment") or {}
    payload = attachment.get("payload") or {}
    if attachment.get("type") == "template" and payload.get("template_type") not in IG_TEMPLATES:
        msg = {"text": payload.get("text") or "…"}
    if attachment.get("type") == "template" and payload.get("template_type") == "button":
        text = payload.get("text") or ""
        if utf8_len(text) > IG_TEXT_BYTES:
            cut = text.encode("utf-8")[: IG_TEXT_BYTES - 3].decode("utf-8", "ignore") + "…"
            msg["attachment"] = {**attachment, "payload": {**payload, "text": cut}}
    quick = [
        q for q in msg.get("quick_replies") or ()
        if q.get("content_type", "text") in IG_QUICK_REPLY_TYPES
    ][:IG_MAX_QUICK_REPLIES]  # fmt: skip
    msg.pop("quick_replies", None)
    texts = split_bytes(msg["text"]) if isinstance(msg.get("text"), str) else []
    if len(texts) > 1:
        out = [{**body, "message": {"text": t}} for t in texts]
    else:
        if texts:
            msg["text"] = texts[0]
        out = [{**body, "message": msg}]
    if quick:
        out[-1]["message"] = {**out[-1]["message"], "quick_replies": quick}
    return out
