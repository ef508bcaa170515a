"""``/staff/leads`` and ``/staff/overview``: every lead with the API's filters, the CSV,
and the numbers drawn as charts."""

from __future__ import annotations

from flask import render_template, request

from bot.staff import actions
from bot.staff.auth import login_required, owner_required, runtime
from bot.staff.lang import t as _
from bot.staff.present import bars, csv_response, pipeline, stage_name, zone
from bot.staff.views import bp
from store import leads


@bp.get("/leads")
@login_required
def leads_page():
    db = runtime().db()
    rows = leads.search(db, limit=500, **actions.lead_filters(request.args, zone()))
    return render_template(
        "staff/leads.html",
        rows=rows,
        stages=pipeline(),
        labels=leads.all_labels(db),
        sources=leads.SOURCES,
        args=request.args,
    )


@bp.get("/leads.csv")
@owner_required
def leads_csv():
    filters = actions.lead_filters(request.args, zone())
    return csv_response(leads.search(runtime().db(), limit=None, **filters))


@bp.get("/overview")
@login_required
def overview():
    db = runtime().db()
    since = actions._day(request.args, "from", zone())
    until = actions._day(request.args, "to", zone(), end=True)
    s = leads.stats(db, pipeline(), since=since, until=until)
    people = leads.agents(db, since, until)
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
    )
