"""一网统管 — the command dashboard, its Excel export, the printable monthly report, and 催办."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from wangge.cases import actions
from wangge.cases.errors import CaseError
from wangge.cases.selectors import case_for, may_take
from wangge.core.pgsettings import set_for_transaction

from . import drill, exports, metrics, selectors
from .forms import DashboardFilterForm, ReportMonthForm
from .rollup import stats_state
from .selectors import PeriodKind
from .tasks import ensure_fresh


def _selection(request):
    if not selectors.has_dashboard(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None, user=request.user)
    if request.GET:
        form.is_valid()
    else:
        form.cleaned_data = {}
    sel, rank_by = form.selection()
    ensure_fresh()
    return form, sel, rank_by


def _warn_about_ignored(request, *forms) -> None:
    """Say which filter was not understood: the page shows the default in its place."""
    for form in forms:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            for error in errors:
                messages.warning(request, _("%(field)s: %(error)s The default is shown instead.")
                                 % {"field": label, "error": error})


def _no_jit() -> None:
    """PostgreSQL would JIT-compile the rollup sums for longer than they run (~0.2 s each)."""
    set_for_transaction(jit="off")


@transaction.atomic
def build(sel: selectors.Selection, rank_by: str, *, overdue_limit: int = 50) -> dict:
    """Everything the dashboard, the export and the report show, for one selection."""
    _no_jit()
    summary = selectors.summary(sel)
    rates = [
        {"def": r, "value": summary["rates"][r.key], "pct": metrics.pct(summary["rates"][r.key]),
         "numerator": summary[r.numerator], "denominator": summary[r.denominator]}
        for r in metrics.RATES
    ]
    overdue, overdue_total = selectors.overdue_cases(sel, limit=overdue_limit)
    return {
        "sel": sel,
        "rank_by": rank_by,
        "rank_label": metrics.RATES_BY_KEY[rank_by].label,
        "summary": summary,
        "rates": rates,
        "statuses": selectors.status_counts(summary),
        "communities": selectors.ranking(sel, "community_id", rank_by=rank_by),
        "grids": selectors.ranking(sel, "grid_id", rank_by=rank_by),
        "departments": selectors.ranking(sel, "department", rank_by=rank_by),
        "categories": selectors.by_category(sel),
        "channels": selectors.by_channel(sel),
        "overdue": overdue,
        "overdue_total": overdue_total,
        "state": stats_state(),
    }


@transaction.atomic
def _chart_data(ctx: dict, sel: selectors.Selection) -> dict:
    _no_jit()
    def series(rows, label_key, fmt, span):
        return {
            "labels": [fmt(r[label_key]) for r in rows],
            **drill.trend_links(sel, [span(r[label_key]) for r in rows]),
            "filed": [r["filed"] for r in rows],
            "solved": [r["solved"] for r in rows],
            **{k: [None if r["rates"][k] is None else round(r["rates"][k] * 100, 1) for r in rows]
               for k in metrics.RATE_KEYS},
        }

    return {
        "day": series(selectors.trend_by_day(sel), "day", lambda d: d.strftime("%m-%d"), lambda d: (d, d)),
        "month": series(selectors.trend_by_month(sel), "month", lambda d: d.strftime("%Y-%m"),
                        lambda d: (d, selectors.month_period(d.year, d.month).end)),
        "categories": [{"id": r["category_top_id"], "name": r["name"], "value": r["filed"]}
                       for r in ctx["categories"]],
        "channels": [{"key": r["channel"], "name": r["name"], "value": r["filed"]} for r in ctx["channels"]],
        "statuses": [s for s in ctx["statuses"] if s["count"]],
        "rates": {r["def"].key: r["value"] for r in ctx["rates"]},
        "rate_labels": {r.key: str(r.label) for r in metrics.RATES},
        "map": selectors.map_features(sel),
        "tile_url": getattr(settings, "WANGGE_TILE_URL", "") or "",
    }


@login_required
@require_GET
def dashboard(request):
    form, sel, rank_by = _selection(request)
    _warn_about_ignored(request, form)
    ctx = build(sel, rank_by)
    ctx["charts"] = _chart_data(ctx, sel)
    drill.chart_links(sel, ctx["charts"])
    ctx["form"] = form
    ctx["query"] = request.GET.urlencode()
    ctx["period_kinds"] = PeriodKind
    ctx["grids_shown"] = ctx["grids"][:50]
    # 催办 is offered where the user may urge (a department officer sees its overdue cases, but
    # urging is the territory's dispatchers' and leaders').
    for case in ctx["overdue"]:
        case.may_urge = may_take(request.user, "urge", case)
    # 穿透: each number opens the cases behind it in the case list.
    ctx["links"] = {key: drill.link(sel, key) for key in ("filed", "open", selectors.SUPERVISE)}
    for r in ctx["rates"]:
        r["links"] = drill.rate_links(sel, r["def"])
        r["shortfall"] = r["denominator"] - r["numerator"]
    drill.ranking_links(sel, ctx["communities"])
    drill.ranking_links(sel, ctx["grids_shown"])
    drill.ranking_links(sel, ctx["departments"], departments=True)
    ctx["labels"] = {"cases": pgettext("dashboard", "Cases"), "filed": pgettext("dashboard", "Filed"), "solved": _("Resolved or closed"),
                     "open": _("Open"), "overdue": _("Overdue")}
    return render(request, "dashboard/index.html", ctx)


@login_required
@require_GET
def export_xlsx(request):
    _form, sel, rank_by = _selection(request)
    ctx = build(sel, rank_by, overdue_limit=5000)
    content = exports.workbook_bytes(ctx)
    stamp = f"{sel.period.start:%Y%m%d}-{sel.period.end:%Y%m%d}"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="wangge-dashboard-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def monthly_report(request):
    """月报 — one calendar month (``?month=YYYY-MM``, default last month), printable on A4."""
    form, sel, rank_by = _selection(request)
    month_form = ReportMonthForm(request.GET)
    month = month_form.chosen_month(today=selectors.today())
    _warn_about_ignored(request, form, month_form)
    sel = selectors.Selection(user=request.user, period=selectors.month_period(month.year, month.month),
                              region=sel.region, department=sel.department)
    ctx = build(sel, rank_by, overdue_limit=30)
    previous = month.replace(day=1) - dt.timedelta(days=1)
    prev_sel = selectors.Selection(user=request.user, period=selectors.month_period(previous.year, previous.month),
                                   region=sel.region, department=sel.department)
    prev = selectors.summary(prev_sel)
    for r in ctx["rates"]:
        before = prev["rates"][r["def"].key]
        r["change"] = None if before is None or r["value"] is None else (r["value"] - before) * 100
    ctx.update(form=form, month=month, previous=prev, generated_at=timezone.now(),
               top_categories=ctx["categories"][:10])
    return render(request, "dashboard/report.html", ctx)


@login_required
@require_POST
def urge(request, number: str):
    """催办 (htmx): urge the handler of an overdue case; the answer replaces the button."""
    if not selectors.has_dashboard(request.user):
        raise PermissionDenied
    try:
        case = actions.urge_case(case=case_for(request.user, number), actor=request.user,
                                 note=(request.POST.get("note") or "")[:200])
    except CaseError as error:
        return render(request, "dashboard/_urge_result.html", {"error": error.message, "number": number})
    return render(request, "dashboard/_urge_result.html", {"case": case, "number": number})
