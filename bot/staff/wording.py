"""Owners' ids and customers' answers as words in the workspace's language: why a lead is
in the queue, why its stage changed, and each answer as its question and chosen label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, g

from bot import i18n
from bot.conversation.acts import WANTS_TO_ORDER
from bot.conversation.attachments import REASON as ATTACHED
from bot.conversation.render import format_day
from bot.conversation.talk import NOT_UNDERSTOOD
from bot.staff.lang import t as _
from bot.staff.lang import ui_lang

if TYPE_CHECKING:
    from bot.book.types import FlowBook, Step


def book() -> FlowBook:
    """The flows in force (a live reload swaps them), as bot.staff.present reads them; in
    a simulator request that tries a draft, the draft's (``g.wording_book``); inside
    ``present.page_book`` the Book of the Page being shown."""
    draft = g.get("wording_book")
    if draft is not None:
        return draft
    return g.get("page_book") or current_app.config["BOOK"]


def reason_text(reason: str | None) -> str:
    """Why a lead is in the queue, in words around the owner's own ids from flows.yaml."""
    if not reason:
        return ""
    if reason == "error":
        return _("the bot hit an error")
    if reason == "staff_reply":
        return _("a team member replied")
    if reason == "page_inbox":
        return _("answered in Meta's Page inbox")
    if reason == "paused":
        return _("the bot was paused")
    if reason in _FIXED_REASONS:
        return _FIXED_REASONS[reason]()
    if reason.startswith(NOT_UNDERSTOOD):
        return _("the bot did not understand three times: {messages}",
                 messages=reason[len(NOT_UNDERSTOOD):])  # fmt: skip
    if reason.startswith("stuck: "):
        key = reason[len("stuck: ") :]
        return _("no valid answer to question {id}", id=question_words(key))
    intent = next((i for i in book().intents if i.id == reason), None)
    if intent is not None:
        return _("topic: {id}", id=intent_words(intent.id))
    if reason in book().flows:
        title = flow_words(reason)
        if title:
            return _("from the bot's conversation “{title}”", title=title)
        return _("from the bot's conversation")
    stage = next((s for s in book().stages if s.id == reason), None)
    if stage is not None:  # a handoff's reason: that names a stage (qualified)
        return i18n.pick(stage.name, ui_lang(), book().settings.languages[0]) or words(reason)
    return words(reason)


# The bot's own handoff reasons (bot.conversation), in the workspace's language.
_FIXED_REASONS = {
    WANTS_TO_ORDER: lambda: _("wants to order"),
    ATTACHED["image"]: lambda: _("sent a picture"),
    ATTACHED["video"]: lambda: _("sent a video"),
    ATTACHED["audio"]: lambda: _("sent a voice message"),
    ATTACHED["file"]: lambda: _("sent a file"),
    ATTACHED["other"]: lambda: _("sent an attachment"),
}


def words(ident: str) -> str:
    """An owner's id (three_piece, this_week) as words: "three piece", "this week"."""
    return ident.replace("_", " ").strip()


def _in_ui_script(phrase: str) -> bool:
    bangla = any("\u0980" <= ch <= "\u09ff" for ch in phrase)
    return bangla if ui_lang() == "bn" else not bangla


def intent_words(intent_id: str) -> str:
    """An intent as customers say it, in the workspace language (its first ``match:`` phrase
    in that script), else its id as words."""
    for intent in book().intents:
        if intent.id == intent_id:
            for phrase in intent.match:
                if _in_ui_script(phrase):
                    return phrase
    return words(intent_id)


def flow_words(flow_id: str) -> str:
    """A flow's ``title:`` in the workspace language; "" when it has none (staff never read
    the id: the callers say "the bot's conversation" instead)."""
    flow = book().flows.get(flow_id)
    if flow is None or not flow.title:
        return ""
    return i18n.pick(flow.title, ui_lang(), book().settings.languages[0])


def question_words(key: str) -> str:
    """The question that saves the answer ``key``, clipped, in quotes; else the key as words."""
    step = ask_step(key)
    if step is not None and step.text:
        text = i18n.pick(step.text, ui_lang(), book().settings.languages[0])
        if text:
            return f"“{_clip(text)}”"
    return words(key)


def cause_text(cause: str | None) -> str:
    """Why a stage changed ("staff rina", "flow welcome", "intent discount") in words."""
    if not cause:
        return ""
    kind, _sep, rest = cause.partition(" ")
    if kind == "staff" and rest:
        return _("moved by {name}", name=claimant(rest))
    if kind == "flow" and rest:
        title = flow_words(rest)
        if title:
            return _("by the bot, in the conversation “{flow}”", flow=title)
        return _("by the bot, in its conversation with the customer")
    if kind == "intent" and rest:
        return _("by the bot, when the customer said “{phrase}”", phrase=intent_words(rest))
    return words(cause)


def ask_step(key: str) -> Step | None:
    """The ask step that saves the answer ``key`` (``need``), in any flow."""
    for flow in book().flows.values():
        path = flow.asks.get(key)
        if path is not None:
            return flow.at(path)
    return None


def answer_rows(answers: dict[str, Any] | None, limit: int | None = None) -> list[tuple[str, str]]:
    """Saved answers as (question, answer) in the workspace language: the ask's own text and
    the chosen choice's label; an empty answer is left out (never "None")."""
    lang = ui_lang()
    default = book().settings.languages[0]
    rows = []
    for key, value in (answers or {}).items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        step = ask_step(key)
        question = words(key)
        if step is not None and step.text:
            question = _clip(i18n.pick(step.text, lang, default) or question)
        labels = {}
        if step is not None:
            labels = {c.key: i18n.pick(c.label, lang, default) for c in step.choices}
        if isinstance(value, str) and key in book().date_answers:
            # saved ISO ("2026-12-02"), shown as the customer read it: "২ ডিসেম্বর"
            text = format_day(value, lang, book().settings.timezone)
        elif step is not None and step.choices and isinstance(value, str) and value not in labels:
            text = words(value)  # a choice the owner has since removed: its id as words
        else:
            text = answer_text(value, labels)
        rows.append((question, text))
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def answer_text(value: object, labels: dict[str, str] | None = None) -> str:
    """An answer as words: a choice's label, lists joined, nothing for a missing part."""
    labels = labels or {}
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(t for t in (answer_text(v, labels) for v in value) if t)
    if isinstance(value, dict):
        return ", ".join(t for t in (answer_text(v, labels) for v in value.values()) if t)
    if isinstance(value, (int, float)):
        return num(value)
    text = str(value)
    return labels.get(text) or text


def claimant(name: str | None) -> str:
    """Who holds a lead, as staff read it (Meta's own inbox has no account)."""
    if name == "page_inbox":
        return _("the Page inbox")
    return name or ""


def num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return i18n.format_number(value, ui_lang())
