"""The diary pages: a worker's day (phone), the chief's sign-off list, a month's export. Thin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.core.errors import DomainError, NotFound

from . import actions, days, exports, selectors
from .choices import DAY_STATUS_BADGE, NoteSection
from .models import DiaryDay


def _worker_or_404(user, worker_id):
    try:
        return selectors.worker_for(user, worker_id)
    except NotFound:
        raise Http404 from None


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    if selectors.keeps_diary(request.user):
        return redirect("diary:day", request.user.pk, days.today().isoformat())
    if selectors.is_supervisor(request.user):
        return redirect("diary:team")
    raise Http404


@login_required
@require_GET
def day(request: HttpRequest, worker_id: int, day: str) -> HttpResponse:
    worker, _grid = _worker_or_404(request.user, worker_id)
    the_day = _day(day)
    view = selectors.day_view(request.user, worker, the_day)
    own = worker.pk == request.user.pk
    return render(request, "diary/day.html", {
        "view": view, "worker": worker, "own": own, "sections": NoteSection.choices,
        "is_today": the_day == days.today(), "badge": DAY_STATUS_BADGE,
        "prev_day": (the_day - dt.timedelta(days=1)).isoformat(),
        "next_day": (the_day + dt.timedelta(days=1)).isoformat() if the_day < days.today() else "",
        "can_sign": (not own and view.row is not None and view.row.status == "closed"
                     and selectors.is_supervisor(request.user)),
        # A grid chief keeps a diary and signs the grid's: their own day leads to the days waiting.
        "to_sign": (selectors.awaiting_sign_off(request.user).count()
                    if own and selectors.is_supervisor(request.user) else None),
        "month": the_day.strftime("%Y-%m"),
        "columns": [(label, view.section(key)) for key, label in NoteSection.choices],
    })


@login_required
@require_POST
def note(request: HttpRequest) -> HttpResponse:
    the_day = _day(request.POST.get("day"))
    try:
        if request.POST.get("weather") is not None and not request.POST.get("text"):
            actions.set_weather(actor=request.user, day=the_day, weather=request.POST.get("weather", ""))
        else:
            actions.add_note(actor=request.user, day=the_day, text=request.POST.get("text", ""),
                             section=request.POST.get("section", NoteSection.WORK))
    except DomainError as e:
        messages.error(request, str(e.message))
    return redirect("diary:day", request.user.pk, the_day.isoformat())


def _row_or_404(user, pk) -> DiaryDay:
    row = selectors.days_visible_to(user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@login_required
@require_POST
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    row = _row_or_404(request.user, pk)
    try:
        actions.add_correction(actor=request.user, diary_day=row, text=request.POST.get("text", ""),
                               section=request.POST.get("section", NoteSection.NOTE))
    except DomainError as e:
        messages.error(request, str(e.message))
    return redirect(row.get_absolute_url())


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    row = _row_or_404(request.user, pk)
    try:
        actions.sign_off(actor=request.user, diary_day=row, note=request.POST.get("note", ""))
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("Signed off."))
    return redirect(request.POST.get("next") == "team" and "diary:team" or row.get_absolute_url())


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """签阅 — closed days of the workers one supervises, waiting for sign-off."""
    if not selectors.is_supervisor(request.user):
        raise Http404
    waiting = list(selectors.awaiting_sign_off(request.user)[:200])
    recent = list(selectors.days_visible_to(request.user).exclude(worker=request.user).order_by("-day", "pk")[:50])
    return render(request, "diary/team.html", {"waiting": waiting, "recent": recent, "badge": DAY_STATUS_BADGE})


@login_required
@require_GET
def month(request: HttpRequest, worker_id: int, month: str, fmt: str) -> HttpResponse:
    worker, _grid = _worker_or_404(request.user, worker_id)
    try:
        year, mon = (int(x) for x in month.split("-"))
        dt.date(year, mon, 1)
    except (TypeError, ValueError):
        raise Http404 from None
    views = selectors.month_views(request.user, worker, year, mon)
    name = f"diary-{worker.pk}-{year:04d}-{mon:02d}"
    if fmt == "xlsx":
        response = HttpResponse(exports.month_xlsx(worker, views),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    elif fmt == "pdf":
        title = _("Grid chief's work diary — %(worker)s — %(month)s") % {"worker": worker,
                                                                        "month": f"{year:04d}-{mon:02d}"}
        response = HttpResponse(exports.month_pdf(worker, views, title=title), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        raise Http404
    return response
