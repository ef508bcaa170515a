"""``/staff/leads`` and ``/staff/overview``: every lead with the API's filters, the CSV,
and the numbers drawn as charts."""

from __future__ import annotations

from flask import render_template, request

from bot.staff import actions
from bot.staff.auth import login_required, owner_required, runtime, session_staff
from bot.staff.lang import t as _
from bot.staff.present import (
    answer_rows,
    bars,
    csv_response,
    page_book,
    page_context,
    pipeline,
    stage_name,
    zone,
)
from bot.staff.views import bp
from store import leads


def _pages() -> list[str] | None:
    """The Pages asked for (``?page=``) within the account's."""
    who = session_staff()
    assert who is not None  # login_required
    return actions.page_scope(request.args, who)


@bp.get("/leads")
@login_required
def leads_page():
    db = runtime().db()
    filters = actions.lead_filters(request.args, zone())
    rows = leads.search(db, limit=500, pages=_pages(), **filters)
    for r in rows:
        with page_book(r["page_id"]):  # each lead in its own Page's words
            r["key_answers"] = answer_rows(r["answers"], limit=4)
            r["stage_words"] = stage_name(r["stage"])
    return render_template(
        "staff/leads.html",
        rows=rows,
        stages=pipeline(),
        labels=leads.all_labels(db, pages=(session_staff() or {}).get("pages")),
        sources=leads.SOURCES,
        args=request.args,
        **page_context(),
    )


@bp.get("/leads.csv")
@owner_required
def leads_csv():
    filters = actions.lead_filters(request.args, zone())
    return csv_response(leads.search(runtime().db(), limit=None, pages=_pages(), **filters))


@bp.get("/overview")
@login_required
def overview():
    db = runtime().db()
    since = actions._day(request.args, "from", zone())
    until = actions._day(request.args, "to", zone(), end=True)
    scope = _pages()
    s = leads.stats(db, pipeline(), since=since, until=until, pages=scope)
    people = leads.agents(db, since, until, pages=scope)
    funnel = bars([(stage_name(sid), s["reached"][sid]) for sid in s["reached"]])
    now_in = bars([(stage_name(sid), n) for sid, n in s["stages"].items()])
    source_names = {
        "ad": _("Ads"),
        "link": _("Links"),
        "comment": _("Comments"),
        "direct": _("Direct"),
    }
    sources = bars([(source_names[k], v) for k, v in s["sources"].items()])
    refs = bars(list(s["refs"].items()))
    return render_template(
        "staff/overview.html",
        s=s,
        funnel=funnel,
        now_in=now_in,
        sources=sources,
        refs=refs,
        people=people,
        args=request.args,
        **page_context(),
    )
