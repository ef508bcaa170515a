"""Leads for the workspace: the list with filters and search, CSV rows, and the numbers."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from store.queue import in_pages

SOURCES = ("ad", "link", "comment", "direct")
CHANNELS = ("messenger", "instagram")


def source_kind(source: dict | None) -> str:
    """'ad' (a click-to-Messenger ad), 'link' (an m.me link or a ref), 'comment' (a private
    reply to a comment under a post), or 'direct'."""
    source = source or {}
    if source.get("ad_id") or str(source.get("source", "")).upper() == "ADS":
        return "ad"
    if source.get("type") == "comment":
        return "comment"
    if source.get("ref") or source.get("source"):
        return "link"
    return "direct"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    db: sqlite_utils.Database,
    *,
    stage: str | None = None,
    label: str | None = None,
    source: str | None = None,
    channel: str | None = None,
    q: str | None = None,
    since: float | None = None,
    until: float | None = None,
    pages: Sequence[str] | None = None,
    limit: int | None = 1000,
) -> list[dict[str, Any]]:
    """Conversations, most recently active first, with their labels.

    ``q`` is a plain substring (LIKE, so Bangla matches as written) over the name, the
    psid, the values of the saved answers and every message text. ``pages``: only these
    Pages' conversations (None: every Page).
    """
    where: list[str] = []
    params: list[Any] = []
    if pages is not None:
        scope, page_ids = in_pages(pages)
        where.append(scope)
        params.extend(page_ids)
    if stage:
        where.append("c.stage = ?")
        params.append(stage)
    if label:
        where.append(
            "EXISTS (SELECT 1 FROM labels l WHERE l.conversation_id = c.id AND l.label = ?)"
        )
        params.append(label)
    if channel:
        where.append("c.channel = ?")
        params.append(channel)
    if since is not None:
        where.append("c.created_at >= ?")
        params.append(since)
    if until is not None:
        where.append("c.created_at < ?")
        params.append(until)
    q = (q or "").strip()
    if q:
        pattern = _like(q)
        where.append(
            "(c.name LIKE ? ESCAPE '\\' OR c.psid LIKE ? ESCAPE '\\' "
            "OR EXISTS (SELECT 1 FROM json_each(c.answers) a WHERE a.value LIKE ? ESCAPE '\\') "
            "OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
            "AND m.text LIKE ? ESCAPE '\\'))"
        )
        params.extend([pattern] * 4)
    sql = (
        "SELECT c.id, c.psid, c.name, c.stage, c.score, c.answers, c.updated_at, c.source, "
        "c.created_at, c.language, c.bot_paused, c.opted_out, "
        "(SELECT group_concat(label, char(31)) FROM "
        "  (SELECT label FROM labels WHERE conversation_id = c.id ORDER BY at, label) AS l), "
        "c.picture, c.channel, c.page_id FROM conversations c"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.updated_at DESC, c.id DESC"
    out = []
    for r in db.execute(sql, params).fetchall():
        src = json.loads(r[7] or "{}")
        if source and source_kind(src) != source:
            continue
        out.append(
            {
                "conversation_id": r[0], "psid": r[1], "name": r[2], "stage": r[3],
                "score": r[4], "answers": json.loads(r[5] or "{}"),
                "labels": r[12].split("\x1f") if r[12] else [], "updated_at": r[6],
                "source": src, "created_at": r[8], "language": r[9],
                "bot_paused": bool(r[10]), "opted_out": bool(r[11]), "picture": r[13],
                "channel": r[14] or "messenger", "page_id": r[15],
            }
        )  # fmt: skip
        if limit and len(out) >= limit:
            break
    return out


def all_labels(db: sqlite_utils.Database, pages: Sequence[str] | None = None) -> list[str]:
    """Every label in use (on ``pages``' conversations only, when given)."""
    if pages is None:
        sql = "SELECT DISTINCT label FROM labels ORDER BY label"
        return [r[0] for r in db.execute(sql).fetchall()]
    scope, params = in_pages(pages)
    sql = (
        "SELECT DISTINCT l.label FROM labels l JOIN conversations c ON c.id = l.conversation_id "
        f"WHERE {scope} ORDER BY l.label"
    )
    return [r[0] for r in db.execute(sql, params).fetchall()]


def answer_keys(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every answer id used by these leads, in first-seen order (the CSV's columns)."""
    keys: dict[str, None] = {}
    for row in rows:
        for k in row["answers"]:
            keys.setdefault(k, None)
    return list(keys)


def _name(row: dict[str, Any]) -> str:
    """The customer's name: Messenger's or staff's, else what they answered to a ``name``
    question (the column was empty while nothing filled ``conversations.name``)."""
    if row.get("name"):
        return str(row["name"])
    answered = row["answers"].get("name")
    return answered if isinstance(answered, str) else ""


# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (``=HYPERLINK(...)``, ``@SUM(...)``, ``+``/``-`` arithmetic, and tab/CR that some apps strip
# before they look). OWASP's answer: a leading apostrophe, which Excel shows as text and
# does not display; the value still reads the same.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One CSV cell made safe for spreadsheets: formulas neutralised, phones kept as text.

    Numbers stay numbers. A text of digits that starts with 0 (a phone number, ``01711…``)
    gets the same leading apostrophe, so Excel keeps it as text and shows ``01711223344``
    instead of dropping the 0 (``="01711…"`` would itself be a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        return "'" + value
    if len(value) > 1 and value[0] == "0" and value.isdigit():
        return "'" + value
    return value


def csv_table(rows: Sequence[dict[str, Any]], fmt_time) -> list[list[Any]]:
    """Header and rows for the CSV export; ``fmt_time`` turns seconds into text.

    Every cell goes through ``csv_cell``: customers write the answers, names and refs."""
    keys = answer_keys(rows)
    header = ["conversation_id", "psid", "name", "stage", "score", "labels", "source", "ref",
              "ad_id", "created_at", "updated_at", "picture", "channel", "post_id", *keys]  # fmt: skip
    table: list[list[Any]] = [[csv_cell(h) for h in header]]
    for r in rows:
        src = r["source"]
        answers = [
            v
            if isinstance(v, str | int | float) or v is None
            else json.dumps(v, ensure_ascii=False)
            for v in (r["answers"].get(k) for k in keys)
        ]
        table.append(
            [
                r["conversation_id"], r["psid"], _name(r), r["stage"], r["score"],
                ", ".join(r["labels"]), source_kind(src), src.get("ref") or "",
                src.get("ad_id") or "", fmt_time(r["created_at"]), fmt_time(r["updated_at"]),
                r.get("picture") or "", r.get("channel") or "messenger",
                src.get("post_id") or "",
                *["" if a is None else a for a in answers],
            ]
        )  # fmt: skip
        table[-1] = [csv_cell(v) for v in table[-1]]
    return table


def stats(
    db: sqlite_utils.Database,
    pipeline: Sequence[str],
    *,
    won: str | None = "converted",
    lost: str = "lost",
    since: float | None = None,
    until: float | None = None,
    pages: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Counts per stage, the funnel, conversion rate, first-response time, sources.

    ``pipeline`` is the stage order (``lost`` may be in it; it is not a funnel step). A lead
    "reached" a stage when it is in it now or ever was in it or in a later one, so a lead
    that went straight to ``converted`` counts for ``qualified`` and ``proposal`` too.
    ``pages``: only these Pages' leads (None: every Page).
    """
    order = [s for s in pipeline if s != lost]
    rank = {s: i for i, s in enumerate(order)}
    current: Counter[str] = Counter()
    furthest: dict[int, int] = {}
    ever_lost: set[int] = set()
    sources: Counter[str] = Counter()
    refs: Counter[str] = Counter()
    total = 0
    channel_of: dict[int, str] = {}
    post_of: dict[int, str] = {}
    # leads first seen in [since, until); the simulator's test leads are never counted
    span = "c.psid NOT LIKE 'sim:%' AND c.created_at >= ? AND c.created_at < ?"
    bounds: tuple[Any, ...] = (
        since if since is not None else float("-inf"),
        until if until is not None else float("inf"),
    )
    if pages is not None:
        scope, page_ids = in_pages(pages)
        span += f" AND {scope}"
        bounds = (*bounds, *page_ids)
    for cid, stage, source, channel in db.execute(
        f"SELECT c.id, c.stage, c.source, c.channel FROM conversations c WHERE {span}", bounds
    ):
        total += 1
        channel_of[cid] = channel or "messenger"
        current[stage] += 1
        furthest[cid] = rank.get(stage, 0)
        if stage == lost:
            ever_lost.add(cid)
        src = json.loads(source or "{}")
        kind = source_kind(src)
        sources[kind] += 1
        if kind == "comment":
            post_of[cid] = str(src.get("post_id") or "?")
        elif kind != "direct":
            refs[str(src.get("ref") or src.get("ad_id") or "?")] += 1
    for cid, stage in db.execute("SELECT conversation_id, to_stage FROM stage_changes"):
        if pages is not None and cid not in furthest:
            continue  # another Page's lead
        if stage == lost:
            ever_lost.add(cid)
        elif stage in rank and cid in furthest:
            furthest[cid] = max(furthest[cid], rank[stage])
    reached = {s: sum(1 for f in furthest.values() if f >= i) for i, s in enumerate(order)}
    times = [
        r[0]
        for r in db.execute(
            "SELECT q.first_response_at - q.created_at FROM queue q "
            f"JOIN conversations c ON c.id = q.conversation_id WHERE {span} "
            "AND q.first_response_at IS NOT NULL",
            bounds,
        )
    ]
    handoffs = dict(
        db.execute(
            "SELECT q.status, count(*) FROM queue q JOIN conversations c "
            f"ON c.id = q.conversation_id WHERE {span} GROUP BY q.status",
            bounds,
        ).fetchall()
    )
    converted = reached.get(won, 0) if won in rank else None
    won_rank = rank.get(won) if won else None

    def split(of: dict[int, str], keys: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
        """Leads and the funnel per channel (or per post): which brought the sales."""
        out: dict[str, dict[str, Any]] = {k: {"leads": 0, "reached": {}} for k in keys}
        for cid, key in of.items():
            part = out.setdefault(key, {"leads": 0, "reached": {}})
            part["leads"] += 1
            for i, s in enumerate(order):
                if furthest.get(cid, 0) >= i:
                    part["reached"][s] = part["reached"].get(s, 0) + 1
        for part in out.values():
            part["reached"] = {s: part["reached"].get(s, 0) for s in order}
            n = part["reached"].get(won, 0) if won_rank is not None else None
            part["converted"] = n
            part["conversion_rate"] = (
                round(n / part["leads"], 4)
                if n and part["leads"]
                else (0.0 if n == 0 and part["leads"] else None)
            )
        return out

    posts = split(post_of)
    return {
        "leads": total,
        "stages": {s: current.get(s, 0) for s in pipeline}
        | {s: n for s, n in current.items() if s not in pipeline},
        "reached": reached,
        "lost": len(ever_lost),
        "converted": converted,
        "conversion_rate": (
            round(converted / total, 4) if converted is not None and total else None
        ),
        "median_first_response_seconds": round(statistics.median(times), 1) if times else None,
        "responses": len(times),
        # "comment" only once a comment brought a lead (the older three are always there)
        "sources": {k: sources.get(k, 0) for k in SOURCES if k != "comment" or sources[k]},
        "refs": dict(refs.most_common(10)),
        "handoffs": handoffs,
        "channels": split(channel_of, CHANNELS),
        "posts": dict(
            sorted(posts.items(), key=lambda kv: (-(kv[1]["converted"] or 0), -kv[1]["leads"]))[:20]
        ),
    }


def agents(
    db: sqlite_utils.Database,
    since: float | None = None,
    until: float | None = None,
    pages: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Per person who held a lead opened in [since, until): handled (claimed) leads, resolved
    ones and the median first response. Simulator leads are left out; ``pages``: only these
    Pages' leads (None: every Page)."""
    scope, page_ids = in_pages(pages)
    rows = db.execute(
        "SELECT q.claimed_by, q.status, q.first_response_at - q.created_at FROM queue q "
        "JOIN conversations c ON c.id = q.conversation_id WHERE q.claimed_by IS NOT NULL "
        f"AND c.psid NOT LIKE 'sim:%' AND q.created_at >= ? AND q.created_at < ? AND {scope}",
        (
            since if since is not None else float("-inf"),
            until if until is not None else float("inf"),
            *page_ids,
        ),
    ).fetchall()
    by: dict[str, dict[str, Any]] = {}
    for name, status, first in rows:
        a = by.setdefault(name, {"name": name, "handled": 0, "resolved": 0, "times": []})
        a["handled"] += 1
        a["resolved"] += status == "resolved"
        if first is not None:
            a["times"].append(first)
    out = []
    for a in sorted(by.values(), key=lambda a: -a["handled"]):
        times = a.pop("times")
        a["median_first_response_seconds"] = round(statistics.median(times), 1) if times else None
        out.append(a)
    return out
