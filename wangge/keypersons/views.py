"""The worker's phone pages (my key persons, a visit, 六到/六报) and the staff pages (register,
coverage, export). Thin: ``selectors`` read, ``actions`` write; a refusal is a message, never a 500."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.core.errors import DomainError, NotFound
from wangge.core.http import client_ip, row_id
from wangge.org.choices import Role
from wangge.org.models import RoleAssignment

from . import actions, periods, selectors
from .choices import MOOD_BADGE, AttendanceKind, HelpNeeded, Mood, QuickReportKind
from .masking import mask_address, mask_id_number, mask_name, mask_phone
from .models import KeyPersonTag, QuickReport, Visit


def _client_ip(request) -> str | None:
    return client_ip(request)


def _person_or_404(user, pk):
    try:
        return selectors.key_person_for(user, pk)
    except NotFound:
        raise Http404 from None


def _masked(p) -> dict:
    return {"name": mask_name(p.name), "phone": mask_phone(p.phone), "id_number": mask_id_number(p.id_number),
            "address": mask_address(p.address)}


def _at_fields(error: DomainError, fields: set[str]) -> dict[str, str]:
    """A refusal put back into its form: field → message for the fields the action named that the
    form has (``form`` — shown above the form — when it named none of them)."""
    named = [f for f in error.fields if f in fields]
    return {f: str(error.message) for f in named} or {"form": str(error.message)}


def _ensure_viewer(request):
    if not selectors.can_view(request.user):
        raise Http404


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的重点人员 — due and overdue visits first (a worker: their own; ``?all=1`` or a chief: the area)."""
    _ensure_viewer(request)
    qs = selectors.key_persons_visible_to(request.user)
    is_worker = request.user.has_role(Role.GRID_WORKER)
    show_all = request.GET.get("all") == "1" or not is_worker
    if not show_all:
        qs = qs.filter(worker=request.user)
    today = periods.local_day(timezone.now())
    rows = selectors.due_list(qs[:500], today=today)
    return render(request, "keypersons/mine.html", {
        "rows": rows, "show_all": show_all, "is_worker": is_worker, "today": today,
        "overdue": sum(1 for r in rows if r.status == "overdue"), "due": sum(1 for r in rows if r.status == "due"),
        "can_export": selectors.can_export(request.user), "mood_badge": MOOD_BADGE,
    })


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request.user, pk)
    return _render_detail(request, person, revealed=None)


def _render_detail(request, person, *, revealed, refused: str = "", errors: dict | None = None):
    """The person's page; ``refused`` names the form (visit, edit, retire) the server sent back,
    which comes back as typed with ``errors`` at its fields."""
    today = periods.local_day(timezone.now())
    due = selectors.due_list([person], today=today)[0] if person.is_active else None
    typed = request.POST if refused else {}
    visit = typed if refused == "visit" else {}
    edit = typed if refused == "edit" else {}
    return render(request, "keypersons/detail.html", {
        "person": person, "masked": _masked(person), "revealed": revealed, "due": due,
        "visits": list(selectors.visits_of(request.user, person)[:20]),
        "moods": Mood.choices, "helps": HelpNeeded.choices, "attend_kinds": AttendanceKind.choices,
        # The two "help" fields are labelled and explained by the model, so form, admin and API agree.
        "help_field": Visit._meta.get_field("help_needed"), "need_field": Visit._meta.get_field("need_note"),
        "now": timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"),
        "tags": KeyPersonTag.objects.filter(is_active=True),
        "tag_ids": ({pk for pk in map(row_id, edit.getlist("tags")) if pk} if edit
                    else {t.pk for t in person.tags.all()}),
        "workers": _workers_in([person.grid]) if person.is_active else [],
        "visit": visit, "edit": edit, "retire": typed if refused == "retire" else {},
        # The visit form's one-time token: sent twice (a double tap, a resend), it records one visit.
        # A form sent back keeps its token (nothing was written with it).
        "visit_token": _token(visit.get("client_id") if visit else None),
        "refused": refused, "errors": errors or {}, "focus": _focus(refused, errors or {}),
    })


# The element of each field of the person page's forms: a refused form comes back focused (and
# so scrolled to, without JavaScript) at its first refused field, or its first field.
FOCUS = {
    "visit": {"visited_at": "v-at", "place": "v-place", "found": "v-found", "mood": "v-mood",
              "help_needed": "v-help", "need_note": "v-need", "form": "v-at"},
    "edit": {"tags": "e-tags", "worker": "e-worker", "notes": "e-notes", "form": "e-tags"},
    "retire": {"reason": "r-reason", "form": "r-reason"},
}


def _focus(refused: str, errors: dict) -> str:
    ids = FOCUS.get(refused, {})
    return next((ids[f] for f in ids if f in errors), "")


@login_required
@require_POST
@never_cache
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """查看完整信息 — unmasked, once, logged (never cached)."""
    person = _person_or_404(request.user, pk)
    try:
        data = actions.reveal_key_person(actor=request.user, person=person, purpose=request.POST.get("purpose", ""),
                                         ip_address=_client_ip(request))
    except DomainError as e:
        messages.error(request, str(e.message))
        return redirect(person.get_absolute_url())
    return _render_detail(request, person, revealed=data)


def _token(raw) -> str:
    """A form's one-time token: the one it was sent with (when it is one), else a new one."""
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        return str(uuid.uuid4())


def _parse_time(raw: str | None):
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return "bad"
    return timezone.make_aware(value) if timezone.is_naive(value) else value


VISIT_FIELDS = {"visited_at", "place", "found", "mood", "help_needed", "need_note"}


@login_required
@require_POST
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request.user, pk)
    at = _parse_time(request.POST.get("visited_at"))
    try:
        if at == "bad":
            raise actions.BadKeyPersonInput(_("The time is not valid."), fields={"visited_at": "invalid"})
        v = actions.record_visit(actor=request.user, person=person, found=request.POST.get("found", ""),
                                 place=request.POST.get("place", ""), mood=request.POST.get("mood", Mood.STABLE),
                                 help_needed=request.POST.get("help_needed", HelpNeeded.NONE),
                                 need_note=request.POST.get("need_note", ""), visited_at=at,
                                 client_id=request.POST.get("client_id") or None)
    except NotFound:
        raise Http404 from None
    except DomainError as e:
        # Back with what was typed and the refusal at its field (a future time, a missing note).
        return _render_detail(request, person, revealed=None, refused="visit",
                              errors=_at_fields(e, VISIT_FIELDS))
    if v.case_id:
        messages.success(request, _("Visit recorded; case %(number)s opened.") % {"number": v.case.number})
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("keypersons:mine")


@login_required
@require_POST
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request.user, pk)
    try:
        actions.retire_key_person(actor=request.user, person=person, reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as e:
        return _render_detail(request, person, revealed=None, refused="retire", errors=_at_fields(e, {"reason"}))
    messages.success(request, _("Taken off the register."))
    return redirect("keypersons:mine")


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """改标签、责任人、备注 — a person's tags, responsible worker and notes."""
    person = _person_or_404(request.user, pk)
    try:
        worker = None
        if request.POST.get("worker"):
            worker = next((u for u in _workers_in([person.grid]) if str(u.pk) == request.POST["worker"]), None)
            if worker is None:
                raise actions.BadKeyPersonInput(_("The responsible worker must work in this grid."),
                                                fields={"worker": "invalid"})
        actions.update_key_person(actor=request.user, person=person, tags=request.POST.getlist("tags"),
                                  worker=worker, notes=request.POST.get("notes", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as e:
        return _render_detail(request, person, revealed=None, refused="edit",
                              errors=_at_fields(e, {"tags", "worker", "notes"}))
    messages.success(request, _("Saved."))
    return redirect(person.get_absolute_url())


def _units_in(grids) -> dict:
    """grid → its active buildings and units, in tree order (楼栋 / 单元)."""
    from django.db.models import Q

    from wangge.org.choices import RegionLevel
    from wangge.org.models import Region

    if not grids:
        return {}
    under = Q()
    for grid in grids:
        under |= Q(path__startswith=grid.path, depth__gt=grid.depth)
    nodes = (Region.objects.filter(under, level__in=[RegionLevel.BUILDING, RegionLevel.UNIT], is_active=True)
             .defer("boundary").order_by("path"))
    by_path = {grid.path: grid for grid in grids}
    found: dict = {grid: [] for grid in grids}
    for node in nodes:
        grid = next((g for path, g in by_path.items() if node.path.startswith(path)), None)
        if grid is not None:
            found[grid].append(node)
    return {grid: units for grid, units in found.items() if units}


def _workers_in(grids) -> list:
    users = {}
    for a in RoleAssignment.objects.filter(role=Role.GRID_WORKER, is_active=True, region__in=grids,
                                           user__is_active=True).select_related("user"):
        users[a.user.pk] = a.user
    return list(users.values())


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """登记重点人员."""
    _ensure_viewer(request)
    grids = selectors.grids_for(request.user)
    form = request.POST if request.method == "POST" else {}
    errors = {}
    if request.method == "POST":
        try:
            grid = next((g for g in grids if str(g.pk) == request.POST.get("grid")), None)
            if grid is None:
                raise actions.BadKeyPersonInput(_("Choose the grid."), fields={"grid": "required"})
            worker = None
            if request.POST.get("worker"):
                worker = next((u for u in _workers_in([grid]) if str(u.pk) == request.POST["worker"]), None)
                if worker is None:
                    raise actions.BadKeyPersonInput(_("The responsible worker must work in this grid."),
                                                    fields={"worker": "invalid"})
            unit = None
            if request.POST.get("unit"):
                unit = next((u for units in _units_in([grid]).values() for u in units
                             if str(u.pk) == request.POST["unit"]), None)
                if unit is None:
                    raise actions.BadKeyPersonInput(_("The building or unit must be in the grid."),
                                                    fields={"unit": "invalid"})
            person = actions.register_key_person(
                actor=request.user, grid=grid, unit=unit, name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""), id_number=request.POST.get("id_number", ""),
                address=request.POST.get("address", ""), tags=request.POST.getlist("tags"), worker=worker,
                notes=request.POST.get("notes", ""))
        except DomainError as e:
            errors = _at_fields(e, REGISTER_FIELDS)
        else:
            messages.success(request, _("Registered."))
            return redirect(person.get_absolute_url())
    return render(request, "keypersons/register.html", {
        "grids": grids, "tags": KeyPersonTag.objects.filter(is_active=True), "workers": _workers_in(grids),
        "units": _units_in(grids), "errors": errors,
        "form": form, "chosen_tags": form.getlist("tags") if hasattr(form, "getlist") else [],
    })


REGISTER_FIELDS = {"grid", "name", "phone", "id_number", "unit", "address", "tags", "worker", "notes"}


@login_required
@require_http_methods(["GET", "POST"])
def quick(request: HttpRequest) -> HttpResponse:
    """六到六报 — one tap each. A report that files a case or alerts the leaders must say where or
    what (the action refuses it otherwise: the page comes back as typed, the message at the note).
    After a tap the page confirms what happened (``?report=`` / ``?attended=``, the worker's own)."""
    _ensure_viewer(request)
    grids = selectors.grids_for(request.user)
    errors = {}
    if request.method == "POST":
        what = "attend" if request.POST.get("attend") else "report"
        kind = request.POST.get(what, "")
        grid = grids[0] if len(grids) == 1 else next((g for g in grids if str(g.pk) == request.POST.get("grid")), None)
        try:
            token = _tap_token(request.POST.get("client_id"), what, kind)
            if what == "attend":
                row = actions.record_attendance(actor=request.user, kind=kind, note=request.POST.get("note", ""),
                                                place=request.POST.get("place", ""), grid=grid, client_id=token)
                return redirect(f"{reverse('keypersons:quick')}?attended={row.pk}")
            row = actions.quick_report(actor=request.user, kind=kind, note=request.POST.get("note", ""),
                                       place=request.POST.get("place", ""), grid=grid, client_id=token)
            return redirect(f"{reverse('keypersons:quick')}?report={row.pk}")
        except DomainError as e:
            errors = _at_fields(e, {"note", "place", "grid"})
    done = selectors.own_quick_entry(request.user, report=request.GET.get("report"),
                                     attended=request.GET.get("attended"))
    return render(request, "keypersons/quick.html", {
        "client_id": _token(request.POST.get("client_id") if errors else None),
        "grids": grids, "attend_kinds": AttendanceKind.choices, "report_kinds": QuickReportKind.choices,
        "form": request.POST if errors else {}, "errors": errors, "done": done,
        "done_report": done if isinstance(done, QuickReport) else None,
    })


def _tap_token(raw, what: str, kind: str) -> uuid.UUID | None:
    """The token of one button of the 六到/六报 page: the page's token and the button tapped. A
    double tap sends the same button twice (one row); two different buttons are two records."""
    try:
        return uuid.uuid5(uuid.UUID(str(raw)), f"{what}:{kind}") if raw else None
    except ValueError:
        raise actions.BadKeyPersonInput(_("The form is not valid: reload the page and try again."),
                                        fields={"client_id": "invalid"}) from None


def _month(request) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        y, m = (int(x) for x in raw.split("-"))
        dt.date(y, m, 1)
        return y, m
    except (ValueError, TypeError):
        today = periods.local_day(timezone.now())
        return today.year, today.month


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """走访覆盖 — the month's expected, done and missing visits per worker, grid or community."""
    if not selectors.is_supervisor(request.user):
        raise Http404
    year, month = _month(request)
    by = request.GET.get("by", "worker")
    rows, total = selectors.coverage(request.user, year=year, month=month, by=by)
    return render(request, "keypersons/coverage.html", {
        "rows": rows, "total": total, "by": by if by in selectors.GROUPS else "worker", "month": f"{year:04d}-{month:02d}",
        "current_tab": "keypersons", "groups": [("worker", _("Worker")), ("grid", _("Grid")),
                                                ("community", _("Community"))],
    })


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """导出 — the register as xlsx, authorised roles only; logged."""
    try:
        content, _rows = actions.export_key_persons(actor=request.user, purpose=request.POST.get("purpose", "export"),
                                                    ip_address=_client_ip(request))
    except DomainError as e:
        messages.error(request, str(e.message))
        return redirect(reverse("keypersons:mine"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="keypersons.xlsx"'
    response["Cache-Control"] = "no-store"
    return response



