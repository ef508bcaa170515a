"""``/simulator``: chat with the bot in the browser as a customer, no Facebook needed.

Messages go into the inbox exactly as the webhook's do (and wake the engine); the replies
are read back from the log and the outbox. Simulator customers have psids that start with
``sim:``, and the sender keeps their replies instead of sending them.

Who may use it: anyone in offline mode (no page token: a developer's or owner's machine);
once the bot is connected to a page, only staff who are logged in to the workspace.
A session's own clock and draft book (and the engine that handles such a session in the
request) are bot.staff.sim_session.
"""

from __future__ import annotations

import json
import secrets

from flask import (
    Blueprint,
    Flask,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from bot import i18n
from bot.conversation import golden
from bot.conversation.scheduler import Scheduler
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messenger import policy, profile
from bot.messenger.events import Event
from bot.staff.sim_session import (
    MAX_OFFSET,
    _book,
    _clock_text,
    _handle_now,
    _now,
    _offset,
    _offset_text,
    _own_engine,
    _runtime,
    _words_of,
)
from store import conversations, inbox
from store.db import write_tx

bp = Blueprint("simulator", __name__, url_prefix="/simulator")

PREFIX = "sim:"
MAX_TEXT = 2000
# Messenger labels the button in the customer's own language (the book cannot change it)
GET_STARTED_WORD = N_("Get Started")
# each language in its own words, as the customer picks it (never its code)
LANGUAGE_NAMES = {"bn": "বাংলা", "en": "English"}


def get_started_word(lang: str) -> str:
    """The Get Started button as a customer who reads ``lang`` sees it."""
    return i18n.gettext(lang, GET_STARTED_WORD)


def _allowed() -> bool:
    if _runtime().offline:
        return True
    from bot.staff.auth import session_staff

    return session_staff() is not None


def _refuse():
    from bot.staff.auth import json_error

    return json_error(401, "log in to the staff workspace to use the simulator")


def _psid(new: bool = False) -> str:
    psid = session.get("sim_psid")
    if new or not psid or not str(psid).startswith(PREFIX):
        psid = session["sim_psid"] = PREFIX + secrets.token_hex(6)
    return psid


def _put(event: Event) -> None:
    rt = _runtime()
    if _own_engine():
        _handle_now(event)
        return
    inbox.add(rt.db(), [(event.key(), event.psid, event.kind, event.to_json())], rt.clock())
    rt.wake_engine.set()


def _named(psid: str, data: dict) -> None:
    """The name typed beside the message: offline there is no Messenger to ask, so the
    simulated customer is called that (``{first_name}`` in texts) from this message on."""
    name = " ".join(str(data.get("name") or "").split())[:100]
    if not name:
        return
    rt = _runtime()
    db = rt.db()
    with write_tx(db):
        conv, _new = conversations.get_or_create(db, psid, rt.clock())
        if conv["name"] != name:
            conversations.set_name(db, conv["id"], name, rt.clock(), source="simulator")


def _event(kind: str, psid: str, **fields) -> Event:
    now_ms = int(_now() * 1000)
    return Event(
        kind=kind, psid=psid, mid=f"sim-{secrets.token_hex(8)}", timestamp=now_ms, **fields
    )


def _extras(book, lang: str) -> dict:
    """Ice breakers and the persistent menu as the customer sees them in ``lang``."""
    ice = [
        {
            "title": profile._text(book, profile._get(i, "question"), lang),
            "payload": policy.PAYLOAD_ICE + str(profile._get(i, "id")),
        }
        for i in list(book.ice_breakers or ())[: policy.MAX_ICE_BREAKERS]
    ]
    menu = [profile._menu_item(book, b, lang) for b in list(book.menu or ())[: policy.MAX_MENU]]
    return {"ice": ice, "menu": menu}


@bp.before_request
def _gate():
    if _allowed():
        _words_of(_book())
        return None
    if request.method == "GET" and request.endpoint == "simulator.page":
        return redirect(url_for("staff.login", next=request.path))
    return _refuse()


@bp.get("")
def page():
    draft = request.args.get("draft")
    if draft != session.get("sim_draft"):  # a draft (or none) starts a new test customer
        from bot.staff.editor import draft_book

        if draft and (_is_owner() and draft_book(draft) is not None):
            session["sim_draft"] = draft
        else:
            session.pop("sim_draft", None)
        session.pop("sim_offset", None)
        _psid(new=True)
    book = _book()
    _words_of(book)
    langs = [lang for lang in book.settings.languages if lang in i18n.LANGUAGES] or ["en"]
    g.sim_psid = _psid()
    return render_template(
        "staff/simulator.html",
        psid=g.sim_psid,
        business=i18n.pick(book.settings.business, langs[0], langs[0]),
        bot_languages=langs,
        language_names=LANGUAGE_NAMES,
        get_started={lang: get_started_word(lang) for lang in langs},
        offline=_runtime().offline,
        draft=session.get("sim_draft"),
        ref=str(request.args.get("ref") or "")[:200],
        extras={lang: _extras(book, lang) for lang in langs},
        clock=_clock_text(book),
        offset_text=_offset_text(),
        can_save=_is_owner(),
    )


def _is_owner() -> bool:
    from bot.staff.auth import session_staff

    who = session_staff()
    return who is not None and who["role"] == "owner"


@bp.post("/send")
def send():
    """One customer action: {text}, {quick: payload, text: title} or {postback, title}."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise InvalidInput(
            "send a JSON object: {text}, {quick, text} or {postback, title}",
            field="body",
            problem="type",
        )
    psid = _psid()
    text = str(data.get("text") or "").strip()[:MAX_TEXT]
    for value in (text, str(data.get("quick") or ""), str(data.get("postback") or "")):
        if not value.isascii() and _lone_surrogate(value):
            raise InvalidInput("the text is not valid text", field="text", problem="type")
    if data.get("postback"):
        ev = _event("postback", psid, payload=str(data["postback"])[:1000], title=text or None)
    elif data.get("quick"):
        ev = _event("message", psid, text=text, payload=str(data["quick"])[:1000], quick_reply=True)
    elif text:
        ev = _event("message", psid, text=text)
    else:
        raise InvalidInput("send text, quick or postback", field="text", problem="empty")
    _named(psid, data)
    _put(ev)
    return {"ok": True, "psid": psid}


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@bp.post("/reset")
def reset():
    """Start over as a new customer: a new psid, the language, then Get Started."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise InvalidInput("send a JSON object: {} or {lang}", field="body", problem="type")
    book = _book()
    psid = _psid(new=True)
    session.pop("sim_offset", None)  # a new customer starts on today's clock
    lang = data.get("lang")
    _named(psid, data)
    if lang in book.settings.languages and lang != book.settings.languages[0]:
        title = LANGUAGE_NAMES.get(str(lang), str(lang))
        _put(_event("postback", psid, payload=f"{policy.PAYLOAD_LANG}{lang}", title=title))
    ref = _ref_arg(data)
    referral = {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"} if ref else None
    said = lang if isinstance(lang, str) and lang in book.settings.languages else None
    title = get_started_word(said or book.settings.languages[0])
    _put(_event("postback", psid, payload=policy.GET_STARTED, title=title, referral=referral))
    return {"ok": True, "psid": psid}


def _ref_arg(data: dict) -> str:
    return " ".join(str(data.get("ref") or "").split())[:200]


@bp.post("/ref")
def ref():
    """The customer opens an m.me link with ``?ref=`` in the thread they already have."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict) or not _ref_arg(data):
        raise InvalidInput("send {ref}", field="ref", problem="empty")
    psid = _psid()
    referral = {"ref": _ref_arg(data), "source": "SHORTLINK", "type": "OPEN_THREAD"}
    _put(_event("referral", psid, referral=referral))
    return {"ok": True, "psid": psid}


@bp.post("/later")
def later():
    """Move this session's clock on ({hours} or {minutes}); due follow-ups go out as they
    would then. Only this test customer's clock moves."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise InvalidInput("send {hours} or {minutes}", field="body", problem="type")
    try:
        step = float(data.get("hours") or 0) * 3600 + float(data.get("minutes") or 0) * 60
    except (TypeError, ValueError):
        raise InvalidInput("hours and minutes are numbers", field="hours", problem="type") from None
    if not 0 < step <= MAX_OFFSET:
        raise InvalidInput("move the clock on by up to 8 days", field="hours", problem="range")
    session["sim_offset"] = min(_offset() + step, MAX_OFFSET)
    book = _book()
    sent = _followups_now(book)
    return {"ok": True, "offset_hours": round(_offset() / 3600, 2), "clock": _clock_text(book),
            "offset_text": _offset_text(), "followups": sent}  # fmt: skip


def _followups_now(book) -> int:
    """The scheduler's pass for this test customer alone, at the session's clock."""
    if not book.followups:
        return 0
    rt = _runtime()
    db = rt.db()
    conv = conversations.by_psid(db, _psid())
    if conv is None:
        return 0
    offset = _offset()
    scheduler = Scheduler(book, rt.db_path, clock=lambda: rt.clock() + offset)
    sent = 0
    # several rules may fall due over a long jump: one pass each, as the loop would
    for _ in range(len(book.followups)):
        if scheduler._one(db, conv["id"], scheduler.clock()) is None:
            break
        sent += 1
    if sent:
        rt.sender.kick(conv["psid"])
        rt.wake_sender.set()
    return sent


@bp.post("/save")
def save():
    """The conversation just played as a golden test (``tests:`` YAML to copy): owners only."""
    if not _is_owner():
        from bot.staff.auth import json_error

        return json_error(403, "only an owner may save tests")
    data = request.get_json(silent=True) or {}
    name = (
        " ".join(str((data or {}).get("name") or "").split())[:120]
        if isinstance(data, dict)
        else ""
    )
    if not name:
        raise InvalidInput("give the test a name", field="name", problem="empty")
    book = _book()
    try:
        text = golden.record(_runtime().db(), _psid(), name, book.settings.languages[0])
    except ValueError as e:
        raise InvalidInput(str(e), field="psid", problem="empty") from None
    return {"ok": True, "yaml": text}


@bp.get("/poll")
def poll():
    """New log lines after ``after`` (with reply bodies), what is still queued, the lead."""
    rt = _runtime()
    db = rt.db()
    psid = _psid()
    try:
        after = int(request.args.get("after", 0))
    except ValueError:
        after = 0
    after = min(max(after, 0), 2**63 - 1)  # SQLite's integers: a bigger one is past the end
    conv = conversations.by_psid(db, psid)
    lines, lead = [], None
    if conv is not None:
        for line in conversations.timeline(db, conv["id"], after):
            lines.append(
                {
                    "id": line["id"],
                    "sender": line["sender"],
                    "author": line["author"],
                    "text": line["text"],
                    "data": line["data"],
                    "message": (line["body"] or {}).get("message"),
                    "delivery": line["delivery"],
                }
            )
        lead = _lead(db, conv)
    waiting = []
    for _id, kind, event_json, _attempts in inbox.pending_for(db, psid):
        ev = json.loads(event_json)
        waiting.append(ev.get("title") if kind == "postback" else ev.get("text"))
    return {"psid": psid, "lines": lines, "waiting": waiting, "lead": lead,
            "clock": _clock_text(_book()), "offset_hours": round(_offset() / 3600, 2),
            "offset_text": _offset_text()}  # fmt: skip


def _lead(db, conv: dict) -> dict:
    """The lead as the side panel shows it; ``stage_name``, ``score_text`` and ``rows`` are
    the workspace's words (the conversation page's), the rest the stored values."""
    from bot.staff.present import answer_rows, num, phone_href, stage_name

    rows = [
        {"question": q, "answer": a, "tel": phone_href(a)} for q, a in answer_rows(conv["answers"])
    ]
    return {
        "id": conv["id"],
        "stage": conv["stage"],
        "stage_name": stage_name(conv["stage"]),
        "score": conv["score"],
        "score_text": num(conv["score"]),
        "answers": conv["answers"],
        "rows": rows,
        "labels": conversations.labels(db, conv["id"]),
        "language": conv["language"],
        "bot_paused": bool(conv["bot_paused"]),
        "opted_out": bool(conv["opted_out"]),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
