"""The patrol pages: the worker's phone pages (today, check-in, route) and the staff pages
(points and import, figures). Thin: ``selectors`` read, ``actions`` write."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.cases.selectors import case_for
from wangge.core.errors import DomainError, NotFound
from wangge.core.http import row_id
from wangge.org.models import Region, User

from . import actions, imports, permissions, selectors
from . import settings as patrol_settings
from .figures import By, compliance
from .forms import CancelSlotForm, CheckInForm, ImportForm
from .windows import local_day, today

# Visits listed on the phone before "show more" (a list of 500 helps nobody standing in an alley).
PHONE_LIST = 60


def _float(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) < 1000 else None


def _day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound:
        raise Http404 from None


def _grid_param(request, grids: list[Region]) -> Region | None:
    raw = request.GET.get("grid")
    if not raw:
        return None
    return next((g for g in grids if str(g.pk) == raw), None)


@login_required
@require_GET
def today_page(request: HttpRequest) -> HttpResponse:
    """今日巡查 — due visits (nearest first when the phone sent its position), and overdue ones."""
    user = request.user
    if not (permissions.is_patroller(user) or permissions.is_manager(user)):
        raise Http404
    grids = selectors.patrol_grids(user)
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    whole = selectors.is_grid_chief(user) or permissions.is_manager(user)
    day = today()
    data = selectors.today_for(user, grid=_grid_param(request, grids), latitude=lat, longitude=lng,
                               whole_grid=whole, day=day)
    # One hand, a small screen: the nearest visits first, the rest one tap away.
    show_all = request.GET.get("all") == "1"
    due = data.due if show_all else data.due[:PHONE_LIST]
    overdue = data.overdue if show_all else data.overdue[:PHONE_LIST]
    prefix = reverse("patrols:points")
    # Those who oversee the patrols (a secretary, a clerk, a leader) see what is due, not a check-in
    # they may not make (the button led them to a 404).
    patrols_here = permissions.is_patroller(user)
    for visit in (*due, *overdue):
        visit.url = f"{prefix}{visit.point_id}/check-in/" if patrols_here else ""
    query = request.GET.copy()
    query["all"] = "1"
    query.pop("done", None)
    return render(request, "patrols/today.html", {
        "today": data, "due": due, "overdue": overdue, "due_hidden": len(data.due) - len(due),
        "all_query": query.urlencode(), "grids": grids, "located": lat is not None and lng is not None,
        "whole_grid": whole, "day": day, "manager": permissions.is_manager(user),
        "can_cancel": permissions.is_manager(user), **_done(request, day),
    })


def _done(request: HttpRequest, day: dt.date) -> dict:
    """The outcome of the check-in the worker just made (``?done=<client id>``, set by the form
    with or without JavaScript), read back from the server: theirs only. A client id not (yet)
    on the server is offered to the page's script, which says so when the phone still holds it."""
    raw = request.GET.get("done")
    if not raw:
        return {}
    checkin = selectors.own_checkin(request.user, raw)
    if checkin is None:
        try:
            return {"pending": str(uuid.UUID(raw))}
        except ValueError:
            return {}
    return {"done": checkin, "done_findings": list(checkin.findings.all()),
            "done_other_day": local_day(checkin.client_time) != day}


# The actions' names of the check-in form's fields, where they differ.
FIELD_OF = {"description": "finding", "attachments": "photos"}


def _checkin_page(request: HttpRequest, point, *, plate_token: str = "") -> HttpResponse:
    wants_json = request.headers.get("X-Patrol-Client") == "1"
    if request.method == "POST":
        form = CheckInForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = _submit(request, point, form)
            except DomainError as error:
                field = next((FIELD_OF.get(f, f) for f in error.fields if FIELD_OF.get(f, f) in form.fields), None)
                if wants_json:
                    # ``field``: the form's input the script puts the message at (and scrolls to).
                    return JsonResponse({"error": {"code": error.code, "message": str(error.message),
                                                   "fields": error.fields, "field": field}},
                                        status=error.status_code)
                form.add_error(field, str(error.message))
            else:
                checkin, finding = result
                if wants_json:
                    return JsonResponse({"checkin": checkin.pk, "client_id": str(checkin.client_id),
                                         "is_far": checkin.is_far, "is_late": checkin.is_late,
                                         "case": finding.case.number if finding else None})
                # The landing page confirms it (point, time, flags, the finding's case), the same
                # page the script lands on.
                return redirect(f"{reverse('patrols:today')}?done={checkin.client_id}")
        elif wants_json:
            return JsonResponse({"error": {"code": "invalid", "message": _("The input is not valid."),
                                           "fields": {k: "invalid" for k in form.errors}}}, status=400)
        if request.FILES.getlist("photos") and "photos" not in form.errors:
            # A page sent back keeps what was typed, but a browser cannot refill a file input.
            form.add_error("photos", _("Choose the photos again: a form sent back cannot keep them."))
    else:
        form = CheckInForm(initial={"presence": "qr" if plate_token else "gps", "plate_token": plate_token})
    return render(request, "patrols/checkin.html", {
        "point": point, "form": form, "by_plate": bool(plate_token),
        "far_metres": getattr(settings, "WANGGE_PATROL_FAR_METRES", 300),
        "queue_max": patrol_settings.offline_queue_max(),
    })


@transaction.atomic
def _submit(request, point, form):
    """The check-in and its finding together: a refused finding writes no check-in either."""
    d = form.cleaned_data
    result = actions.check_in(
        actor=request.user, client_id=d["client_id"], point=point, client_time=d["client_time"],
        presence=d["presence"], latitude=d.get("latitude"), longitude=d.get("longitude"),
        accuracy=d.get("accuracy"), plate_token=d.get("plate_token", ""), notes=d.get("notes", ""),
        photos=d.get("photos") or [],
    )
    finding = None
    if (d.get("finding") or "").strip():
        finding = actions.report_finding(
            actor=request.user, checkin=result.checkin, description=d["finding"],
            handling_class=d.get("handling_class") or "general", category=d.get("category"),
            result=d.get("result", ""), photos=d.get("photos") or [], client_id=d["finding_client_id"])
    return result.checkin, finding


@login_required
@require_http_methods(["GET", "POST"])
def checkin_page(request: HttpRequest, pk: int) -> HttpResponse:
    point = _or_404(selectors.point_for, request.user, pk)
    if not permissions.may_patrol(request.user, point):
        raise Http404
    return _checkin_page(request, point)


@login_required
@require_http_methods(["GET", "POST"])
def plate_page(request: HttpRequest, token: str) -> HttpResponse:
    """扫码打卡 — the QR plate at a point opens its check-in, presence shown by the plate."""
    point = _or_404(selectors.point_by_plate, request.user, token)
    if not permissions.may_patrol(request.user, point):
        raise Http404
    return _checkin_page(request, point, plate_token=point.plate_token)


@login_required
@require_GET
def checkin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = _or_404(selectors.checkin_for, request.user, pk)
    return render(request, "patrols/checkin_detail.html", {"checkin": checkin,
                                                           "findings": checkin.findings.select_related("case")})


@login_required
@require_GET
def route_page(request: HttpRequest) -> HttpResponse:
    """当日轨迹 — a worker's check-ins of a day on a map (the worker themselves by default)."""
    worker = request.user
    raw = request.GET.get("worker")
    if raw and raw != str(request.user.pk):
        worker = User.objects.filter(pk=row_id(raw) or 0).first()
        if worker is None:
            raise Http404
    day = _day(request.GET.get("day"), today())
    checkins = selectors.route_of(request.user, worker=worker, day=day)
    if worker != request.user and not checkins and not permissions.is_manager(request.user):
        raise Http404
    points = [{"lat": c.latitude if c.latitude is not None else c.point.latitude,
               "lng": c.longitude if c.longitude is not None else c.point.longitude,
               "name": c.point.name, "time": c.client_time.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M"),
               "far": c.is_far} for c in checkins]
    return render(request, "patrols/route.html", {"worker": worker, "day": day, "checkins": checkins,
                                                  "route": {"points": points,
                                                            "tiles": getattr(settings, "WANGGE_TILE_URL", "")},
                                                  "prev": day - dt.timedelta(days=1),
                                                  "next": day + dt.timedelta(days=1)})


@login_required
@require_http_methods(["GET", "POST"])
def points_page(request: HttpRequest) -> HttpResponse:
    """点位管理 — the points of the user's territory, and the spreadsheet import."""
    if not permissions.is_manager(request.user):
        raise Http404
    form = ImportForm()
    errors = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                n = imports.import_points(actor=request.user, file=form.cleaned_data["file"])
            except imports.ImportRefused as refused:
                errors = refused.rows
                messages.error(request, str(refused.message))
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("%(n)d points imported.") % {"n": n})
                return redirect("patrols:points")
    points = selectors.points_visible_to(request.user).select_related("grid", "responsible").order_by(
        "grid__name", "name")[:500]
    return render(request, "patrols/points.html", {"points": points, "form": form, "errors": errors,
                                                   "columns": imports.COLUMNS})


@login_required
@require_POST
def cancel_slot(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _or_404(selectors.slot_for, request.user, pk)
    form = CancelSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling the visit."))
    else:
        try:
            actions.cancel_slot(actor=request.user, slot=slot, reason=form.cleaned_data["reason"])
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The visit to %(point)s is cancelled.") % {"point": slot.point.name})
    return redirect("patrols:today")


@login_required
@require_POST
def whistle(request: HttpRequest, number: str) -> HttpResponse:
    """网格吹哨 from the case page's panel."""
    try:
        case = case_for(request.user, number)
        actions.blow_whistle(actor=request.user, case=case, note=request.POST.get("note", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The grid's officers are summoned."))
    return redirect(reverse("web:case_detail", args=[number]))


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """巡查考核 — the dashboard's patrol tab."""
    if not permissions.sees_figures(request.user):
        raise Http404
    last = _day(request.GET.get("last"), today())
    first = _day(request.GET.get("first"), last.replace(day=1))
    if first > last:
        first, last = last, first
    by = request.GET.get("by") if request.GET.get("by") in By.ALL else By.GRID
    figures = compliance(request.user, first=first, last=last, by=by)
    return render(request, "patrols/figures.html", {"figures": figures, "current_tab": "patrols", "by": by,
                                                    "choices": [(By.GRID, _("Grid")), (By.COMMUNITY, _("Community")),
                                                                (By.WORKER, _("Worker"))]})
