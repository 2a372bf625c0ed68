"""Staff workbench (工作台): thin views over ``cases.selectors`` (reads) and ``cases.actions``
(writes). A refused action comes back inside its form; a case out of scope is a 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.cases import actions, permissions, selectors
from wangge.cases.actions.privacy import start_caller_lookup
from wangge.cases.choices import AssignmentRole, CaseStatus, EventType, ExtensionStatus, Light
from wangge.cases.downloads import attachment_response
from wangge.cases.errors import CaseError, CaseNotFound, IdempotencyKeyReused
from wangge.cases.filtersets import CaseFilterSet
from wangge.cases.models import Case, CaseAssignment, CaseAttachment, CaseEvent, Category
from wangge.cases.models.case import looks_like_case_number
from wangge.cases.models.event import ActorKind
from wangge.cases.panels import panels_for
from wangge.cases.selectors import CURRENT_DUE
from wangge.core.http import client_ip, page_number, row_id
from wangge.core.widgets import QuickSelect
from wangge.dashboard import drill
from wangge.notifications.models import Notification, NotificationPreference
from wangge.notifications.services import mark_read
from wangge.org import address, geo
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.org.scope import can_look_up_callers
from wangge.residents.masking import full_phone, half_width, mask_phone, normalise_phone

from . import caller_keys, case_export, columns, desk_queries, desks, held_uploads, queries
from .forms import BulkDispatchForm, FieldReportForm, HotlineForm, RevisitForm, SavedFilterForm, action_form
from .models import SavedFilter

QUEUE_SIZE = 50
PAGE_SIZE = 50
NOTIFICATION_PAGE = 50


def _case_or_404(user, number: str):
    try:
        return selectors.case_for(user, number)
    except CaseNotFound:
        raise Http404(_("Case not found.")) from None


def _error_into_form(form, error: CaseError) -> None:
    """Put an action's refusal into the form: on the field it names, else on the whole form."""
    field = next((f for f in error.fields if f in form.fields), None)
    form.add_error(field, str(error.message))


def _files_not_kept(request: HttpRequest, form, field: str) -> None:
    """A refused post that carried files: a browser cannot refill a file input, so the form says
    the photos were not kept and must be chosen again (``form.files_lost``)."""
    form.files_lost = bool(request.FILES.getlist(form.add_prefix(field)))


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)  # through the configured trusted proxies (core.http)


# --------------------------------------------------------------------------------------------
# Home: my queue
# --------------------------------------------------------------------------------------------


@login_required
def home(request):
    """Each role lands on its own work (``desks``); the dispatch desk is the clerk's backlog."""
    desk = desks.current_desk(request)
    view = {desks.Desk.FIELD: _field_home, desks.Desk.DEPARTMENT: _department_home,
            desks.Desk.COMMUNITY: _community_home, desks.Desk.LEADER: _leader_home}.get(desk, _dispatch_home)
    return view(request)


@login_required
@require_POST
def switch_desk(request):
    """角色切换 — a person with several roles chooses the desk they work at."""
    if not desks.choose_desk(request, request.POST.get("desk", "")):
        messages.error(request, _("You do not hold that role."))
    return redirect("web:home")


def _desk_context(request, desk: str) -> dict:
    return {"desk": desk, "now": timezone.now(),
            "can_file": permissions.can_file_cases(request.user)}


def _queue_context(request, size: int = 20) -> dict:
    """待办 — the cases waiting for this person (assigned to them, their department or grid), the
    new assignments marked: every desk shows it as ``rows``."""
    queue = queries.my_queue(request.user, size=size)
    new_ids = queries.new_assignment_case_ids(request.user)
    for case in queue.rows:
        case.is_new = case.pk in new_ids
    return {"rows": queue.rows, "counts": queue.counts, "new_ids": new_ids, "new_count": len(new_ids),
            "extensions": queue.extensions, "to_close": queue.to_close}


def _field_home(request):
    data = desk_queries.field_desk(request.user)
    return render(request, "web/home_field.html", {
        **_desk_context(request, desks.Desk.FIELD), **_queue_context(request), "grids": data.grids,
        "grid_rows": data.rows, "grid_counts": data.counts,
    })


def _department_home(request):
    queue = _queue_context(request)
    data = desk_queries.department_desk(request.user, in_hand_page=page_number(request.GET.get("page")))
    for case in data.to_claim:
        case.is_new = case.pk in queue["new_ids"]
    return render(request, "web/home_department.html", {
        **_desk_context(request, desks.Desk.DEPARTMENT), **queue, "d": data,
    })


def _community_home(request):
    light, status = request.GET.get("light") or None, request.GET.get("status") or None
    data = desk_queries.community_desk(request.user, light=light, status=status)
    queue = queries.my_queue(request.user, size=1)
    return render(request, "web/home_community.html", {
        **_desk_context(request, desks.Desk.COMMUNITY), "ledger": data, "light_filter": light or "",
        "status_filter": status or "", "queue_counts": queue.counts, "extensions": queue.extensions,
        "to_close": queue.to_close,
    })


def _leader_home(request):
    queue = queries.my_queue(request.user, size=20)
    return render(request, "web/home_leader.html", {
        **_desk_context(request, desks.Desk.LEADER), **desk_queries.leader_overview(request.user),
        "extensions": queue.extensions, "queue_counts": queue.counts, "to_close": queue.to_close,
    })


def _dispatch_home(request):
    light = request.GET.get("light")
    light = light if light in (Light.RED, Light.AMBER, Light.GREEN) else ""
    queue = queries.my_queue(request.user, light=light or None, size=QUEUE_SIZE)
    new_ids = queries.new_assignment_case_ids(request.user)
    for case in queue.rows:
        case.is_new = case.pk in new_ids
    return render(request, "web/home.html", {
        "rows": queue.rows,
        "counts": queue.counts,
        "extensions": queue.extensions,
        "to_close": queue.to_close,
        "to_close_capped": queue.to_close > queries.CLOSE_COUNT_CAP,
        "new_count": len(new_ids),
        "light_filter": light,
        **_desk_context(request, desks.Desk.DISPATCH),
    })


# --------------------------------------------------------------------------------------------
# Case list, saved filters, bulk dispatch
# --------------------------------------------------------------------------------------------


FILTER_KEYS = ("status", "star", "channel", "light", "category", "subdistrict", "community", "grid", "department",
               "overdue", "is_open", "submitted_after", "submitted_before", "q", caller_keys.PARAM, *drill.PARAMS)


def _filter_params(data) -> QueryDict:
    """The list's filters among ``data`` (a query string or a posted form), the empty ones left out.
    A caller's phone (``q``) never stays in them: they go into URLs (``_caller_search`` keeps it server-side)."""
    params = (QueryDict(data) if isinstance(data, str) else data).copy()
    for key in list(params.keys()):
        if key not in FILTER_KEYS or not any(params.getlist(key)) or (key == "q" and full_phone(params[key])):
            params.pop(key)
    return params


def _filter_querystring(request) -> str:
    return _filter_params(request.GET).urlencode()


def _list_url(querystring: str) -> str:
    return reverse("web:case_list") + (f"?{querystring}" if querystring else "")


def _caller_search(request, data) -> HttpResponseRedirect:
    """The filter form, posted (or an address that still has a phone in it): to the list of what
    it asks for, a caller's phone replaced by a key that stands for it in this session
    (``caller_keys``) — the number is in no URL, no access log, no history, no Referer. The
    look-up is started here, once: its permission and its limit (``caller_lookup``) are checked
    and counted now, not again for each page of the same caller's cases; the access log still
    gets a row for each case each page shows (``log_caller_lookup``), as 来电历史 logs hers."""
    params = _filter_params(data)
    typed = data.get("q", "")
    number = full_phone(typed)
    if typed.strip():
        params.pop(caller_keys.PARAM, None)  # a new search replaces the caller's
    if number:
        try:
            start_caller_lookup(actor=request.user, phone=number, ip_address=_client_ip(request))
        except CaseError as error:
            # Said above the (unfiltered) list: an empty one would read as "no record".
            messages.error(request, error.message)
        else:
            params[caller_keys.PARAM] = caller_keys.remember(request, number)
    return redirect(_list_url(params.urlencode()))


# The territory filters of the case list and the level of their places.
TERRITORY_FILTERS = {"subdistrict": RegionLevel.SUBDISTRICT, "community": RegionLevel.COMMUNITY,
                     "grid": RegionLevel.GRID}


def _tune_filter_widgets(form, user) -> list[str]:
    """Chips for the short multiple choices, date pickers for the dates; the territory filters
    offer the user's own places only (``queries.territory_choices``). Returns the territory
    filters worth showing: those with a choice to make (more than one place), or one chosen."""
    shown = []
    for name, level in TERRITORY_FILTERS.items():
        # The form is validated already: this narrows what is offered, not what is accepted.
        field = form.fields[name]
        field.queryset = queries.territory_choices(user, level)
        field.empty_label = _("All")
        QuickSelect.replace(field)
        field.widget.choices = list(field.widget.choices)  # "All" and the places, read once
        if len(field.widget.choices) > 2 or form.data.get(name):
            shown.append(name)
    for name in ("status", "light", "star", "channel"):
        choices = [c for c in form.fields[name].choices if c[0] != Light.NONE]
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=choices)
    for name in ("is_open", "overdue"):
        form.fields[name].widget = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
    for name in ("submitted_after", "submitted_before"):
        form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    for name in ("category", "department"):
        form.fields[name].empty_label = _("All")
        QuickSelect.replace(form.fields[name])
    # A call taker's search finds a caller's cases by phone too (查询进度): say so where they type.
    hint = _("Number, words, address or caller's phone") if can_look_up_callers(user) else _("Number, words, address")
    form.fields["q"].widget.attrs.update({"placeholder": hint, "type": "search"})
    return shown


def _filtered_cases(request):
    """The case list's filter set and its cases: those the user may see, filtered as asked
    (none while a filter is invalid — the form says which). The list and its export share it.
    Opened from a figure of the dashboard (穿透), the list is the cases that figure counted
    (``filterset.drill``; a link that cannot be followed is an error on the form)."""
    key = request.GET.get(caller_keys.PARAM, "")
    caller = caller_keys.recall(request, key) if key else ""
    filterset = CaseFilterSet(data=request.GET, queryset=selectors.cases_visible_to(request.user),
                              request=request, caller=caller)
    filterset.drill = filterset.lookup_error = None
    filterset.caller_key = key if caller else ""
    valid = filterset.is_valid()
    if key and not caller:
        # An old link, a bookmark, another browser: the number is not kept past ``KEY_TTL``.
        filterset.lookup_error = _("This search for a caller's phone has expired. Type the number into the search "
                                   "box again.")
        valid = False
    try:
        filterset.drill = drill.Drill.from_params(request.user, request.GET)
    except drill.DrillError as error:
        filterset.form.add_error(None, str(error))
        valid = False
    try:
        queryset = filterset.qs if valid else filterset.queryset.none()
    except CaseError as error:
        # A caller's phone searched by someone who may not look callers up, or too often: said
        # above the list, not answered with an empty list that reads as "no record".
        filterset.form.add_error("q", error.message)
        filterset.lookup_error = error.message
        queryset, valid = filterset.queryset.none(), False
    if valid and filterset.drill is not None:
        queryset = filterset.drill.narrow(queryset)
    return filterset, queryset


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_list(request):
    if request.method == "POST" or full_phone(request.GET.get("q", "")):
        return _caller_search(request, request.POST if request.method == "POST" else request.GET)
    number = half_width(request.GET.get("q", "")).strip().upper()  # ＷＧ２０２６… typed in full width too
    if looks_like_case_number(number) and selectors.cases_visible_to(request.user).filter(number=number).exists():
        # A case number typed into the search box opens the case (a unique-index look-up).
        return redirect("web:case_detail", number=number)
    filterset, queryset = _filtered_cases(request)
    page = queries.keyset_page(
        queryset.select_related("category", "grid", "community", "subdistrict", "lead_department")
        .annotate(due=CURRENT_DUE),
        after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE,
    )
    user = request.user
    can_bulk = permissions.Scope.of(user).has_any(permissions.DISPATCHER_ROLES)
    for case in page.rows:
        case.bulkable = can_bulk and case.status == CaseStatus.ACCEPTED
        case.handler = case.lead_department
        if not case.is_open:
            case.due = None
    caller = actions.caller_lookup_of(queryset)
    if caller:
        # A caller's phone searched (查询进度): the cases shown are logged as 来电历史 logs them.
        actions.log_caller_lookup(actor=user, phone=caller, cases=page.rows, ip_address=_client_ip(request))
    territory_filters = _tune_filter_widgets(filterset.form, user)
    chosen = columns.columns_for(user)
    return render(request, "web/case_list.html", {
        "filter": filterset,
        "territory_filters": territory_filters,
        "page": page,
        "saved_filters": SavedFilter.objects.filter(user=user),
        "save_form": SavedFilterForm(user=user, initial={"querystring": _filter_querystring(request)}),
        "current_querystring": _filter_querystring(request),
        # Opened from the dashboard: applying other filters keeps to the figure's cases.
        "drill_hidden": [(key, request.GET[key]) for key in drill.PARAMS if request.GET.get(key)],
        "bulk_form": BulkDispatchForm() if can_bulk else None,
        "now": timezone.now(),
        "cols": set(chosen),
        "column_choices": columns.column_choices(chosen),
        "column_count": len(chosen) + 3 + (1 if can_bulk else 0),
        "export_cap_text": f"{case_export.EXPORT_CAP:,}",
        # Back from 导出 Excel with a list too long for one file: ask to narrow it down.
        "export_too_long": request.GET.get("export") == "too-long",
        "caller_phone": mask_phone(caller),
        "caller_key": filterset.caller_key,
    })


@login_required
@require_GET
def case_list_export(request):
    """导出 Excel — the filtered case list as the user sees it (masked, capped, logged)."""
    querystring = _filter_querystring(request)
    back = _list_url(querystring)
    if full_phone(request.GET.get("q", "")):
        return _caller_search(request, request.GET)  # the list, the number out of its address
    filterset, queryset = _filtered_cases(request)
    if not filterset.is_valid() or filterset.lookup_error:
        return redirect(back)  # the list shows what is wrong with the filters
    try:
        export = case_export.export_cases(actor=request.user, queryset=queryset,
                                          filters=_recorded_filters(request, actions.caller_lookup_of(queryset)),
                                          allow_cut=request.GET.get("cut") == "1", request=request)
    except case_export.TooLong:
        return redirect(back + ("&" if querystring else "?") + "export=too-long")
    caller = actions.caller_lookup_of(queryset)
    if caller:  # a caller's cases, exported: each logged as the list logs the ones it shows
        actions.log_caller_lookup(actor=request.user, phone=caller, cases=queryset.only("pk", "number")
                                  .order_by("-submitted_at", "-pk")[:case_export.EXPORT_CAP],
                                  ip_address=_client_ip(request))
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return response


def _recorded_filters(request, caller: str) -> str:
    """The filters an export is recorded with (``DataExportRecord.filters``): the list's, a
    caller's look-up written as the number masked (138****1234) — what an auditor can read, where
    the key the URL had would mean nothing once the session is gone, and the full number would
    put a resident's phone into a log kept for years."""
    params = _filter_params(request.GET)
    if caller and params.get(caller_keys.PARAM):
        params[caller_keys.PARAM] = mask_phone(caller)
    return params.urlencode(safe="*")


@login_required
@require_POST
def save_list_columns(request):
    """列设置 — keep the columns this person wants in the case list."""
    columns.save_columns(request.user, request.POST.getlist("columns"))
    back = request.POST.get("back", "")
    return redirect(reverse("web:case_list") + (f"?{back}" if back else ""))


@login_required
@require_POST
def saved_filter_create(request):
    form = SavedFilterForm(request.POST, user=request.user)
    if form.is_valid():
        saved = form.save()
        messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
        return redirect(reverse("web:case_list") + (f"?{saved.querystring}" if saved.querystring else ""))
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect(_list_url(_filter_params(request.POST.get("querystring", "")).urlencode()))


@login_required
@require_POST
def saved_filter_delete(request, pk: int):
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("web:case_list")


@login_required
@require_POST
def bulk_dispatch(request):
    """批量派单 — dispatch each selected case to one department; one result per case."""
    form = BulkDispatchForm(request.POST)
    back = reverse("web:case_list") + (f"?{request.POST['back']}" if request.POST.get("back") else "")
    if not form.is_valid():
        messages.error(request, _("Select at least one case and a department."))
        return redirect(back)
    department, note = form.cleaned_data["department"], form.cleaned_data["note"]
    done, failed = [], []
    for number in form.cleaned_data["cases"]:
        try:
            case = selectors.case_for(request.user, number)
            actions.dispatch_case(case=case, actor=request.user, lead=actions.Target(department=department), note=note)
            done.append(number)
        except CaseError as error:
            failed.append(f"{number}: {error.message}")
    if done:
        messages.success(request, _("Dispatched to %(department)s: %(numbers)s") % {
            "department": department.name, "numbers": "、".join(done)})
    for line in failed:
        messages.error(request, _("Not dispatched — %(detail)s") % {"detail": line})
    return redirect(back)


# --------------------------------------------------------------------------------------------
# Case detail and actions
# --------------------------------------------------------------------------------------------


def _map_data(case) -> dict:
    grid = case.grid
    return {
        "grid": grid.boundary if grid and grid.boundary else None,
        "grid_name": grid.name if grid else "",
        "point": [case.latitude, case.longitude] if case.latitude is not None else None,
        "tiles": settings.WANGGE_TILE_URL or "",
    }


def _action_forms(user, case, bound=None) -> list:
    available = selectors.available_actions(user, case)
    pending = case.extension_requests.filter(status=ExtensionStatus.PENDING).exists()
    forms = []
    for action in available:
        if action == "decide_extension" and not pending:
            continue
        form_class = action_form(action)
        if form_class is None:
            continue
        forms.append(bound if bound is not None and bound.action == action else form_class(case=case,
                                                                                            prefix=action))
    version = queries.timeline_version(case)
    for form in forms if bound is None or bound in forms else [*forms, bound]:
        form.show_version(version)
    # The main next step first (and open); refusals and escalations last.
    order = {"primary": 0, "secondary": 1, "warning": 2, "danger": 3}
    return sorted(forms, key=lambda f: order.get(f.style, 1))


def _detail_context(request, case, bound=None) -> dict:
    user = request.user
    events = (
        CaseEvent.objects.filter(case=case).select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    attachments = list(case.attachments.select_related("event").order_by("pk"))
    answer_types = {EventType.RESOLVED}
    answer = [a for a in attachments if a.event is not None and a.event.type in answer_types]
    # The resident's photos are the report's; a resolution's are the answer's (shown with the
    # result); progress photos stay on their timeline entries.
    reported = [a for a in attachments if a.event is None or a.event.type == EventType.CREATED]
    assignments = list(case.assignments.filter(active=True).select_related("department", "region", "user"))
    for assignment in assignments:
        assignment.is_lead = assignment.role == AssignmentRole.LEAD
    action_forms = _action_forms(user, case, bound)
    # A refused action whose form is no longer offered (the case moved on meanwhile): say why.
    refused = []
    if bound is not None and bound.errors and bound not in action_forms:
        # Who changed the case meanwhile (a non-field error) first, then why it was refused.
        refused = [*map(str, bound.non_field_errors()),
                   *(str(e) for field, errors in bound.errors.items() if field != NON_FIELD_ERRORS for e in errors)]
    return {
        "case": case,
        "events": events,
        "photos": [a for a in reported if a.is_image],
        "files": [a for a in reported if not a.is_image],
        "answer_photos": [a for a in answer if a.is_image],
        "answer_files": [a for a in answer if not a.is_image],
        "revisit": _revisit_outcome(case),
        "assignments": assignments,
        "stages": selectors.stage_deadlines(case, timezone.now()),
        "map_data": _map_data(case),
        "action_forms": action_forms,
        # What the status allows but this case does not yet (a close before the revisit): greyed
        # out, with what to do first.
        "blocked_actions": [{"action": name, "label": action_form(name).label if action_form(name) else name,
                             "reason": reason} for name, reason in selectors.blocked_actions(user, case)],
        "refused": refused,
        "can_reveal": permissions.may_reveal_reporter(user, case) and bool(case.reporter_name or case.reporter_phone),
        "pending_extension": _pending_extension(case),
        "now": timezone.now(),
        "case_panels": panels_for(case, user),
    }


def _pending_extension(case):
    """The extension request waiting for its decision, with the resolve deadline now and the one
    granting it would set (``deadlines``) — for whoever decides it and whoever asked."""
    request = case.extension_requests.filter(status=ExtensionStatus.PENDING).select_related("requested_by").first()
    if request is not None:
        request.deadlines = selectors.extension_deadlines(request)
    return request


def _revisit_outcome(case) -> dict | None:
    """回访 — the latest revisit: the three checks with the resident's words, and what followed."""
    if case.revisited_at is None:
        return None
    event = CaseEvent.objects.filter(case=case, type=EventType.REVISITED).select_related("actor").order_by(
        "-created_at", "-pk").first()
    data = (event.data if event else None) or {}
    words = data.get("words") or {}
    labels = dict(RevisitForm.CHECKS)
    checks = [{"key": key, "label": labels[key], "ok": getattr(case, f"revisit_{key}"), "words": words.get(key, "")}
              for key in ("lawful", "in_place", "accepted")]
    return {"at": case.revisited_at, "by": event.actor if event else None, "note": event.note if event else "",
            "checks": checks, "accepted": case.revisit_accepted, "follow_up": data.get("follow_up", ""),
            "current": case.resolved_at is None or case.revisited_at >= case.resolved_at}


def _prefetched_case(user, number):
    case = _case_or_404(user, number)
    # permissions read case.assignments.all(): one query for every rule.
    case._prefetched_objects_cache = {}
    case._prefetched_objects_cache["assignments"] = CaseAssignment.objects.filter(case=case).select_related("region")
    return case


@login_required
def case_detail(request, number: str):
    case = _prefetched_case(request.user, number)
    return render(request, "web/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_action(request, number: str, action: str):
    case = _prefetched_case(request.user, number)
    form_class = action_form(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, case=case, prefix=action)
    if form.is_valid():
        try:
            with transaction.atomic():
                result = form.run(actor=request.user, files=request.FILES.getlist(f"{action}-photos"))
        except CaseNotFound:
            raise Http404(_("Case not found.")) from None
        except CaseError as error:
            _error_into_form(form, error)
        else:
            messages.success(request, form.done_message(result))
            return redirect("web:case_detail", number=case.number)
    _say_who_changed_it(form, case)
    if form.has_files:
        _files_not_kept(request, form, "photos")
    case = _prefetched_case(request.user, number)
    form.case = case
    return render(request, "web/case_detail.html", _detail_context(request, case, bound=form))


def _say_who_changed_it(form, case) -> None:
    """A refused form of a page left open while someone else acted on the case: say who changed
    it, when and what — the latest timeline entry after the version the page showed (staff name
    and post; a resident or the system by kind only, never a resident's name)."""
    version = form.seen_version()
    event = queries.change_since(case, version) if version is not None else None
    if event is None:
        return
    at = timezone.localtime(event.created_at)
    today = timezone.localdate()
    when = date_format(at, "H:i" if at.date() == today else "m-d H:i" if at.year == today.year else "Y-m-d H:i")
    # The page drawn with this refusal already shows the case as it is now: a reload would post
    # the stale form again (and be refused again), so it is not what the notice asks for.
    form.add_error(None, _("Meanwhile %(who)s changed this case at %(when)s: %(what)s — this page now shows it as "
                           "it is: check it before acting.") % {"who": _staff_line(event), "when": when,
                                                                "what": event.get_type_display()})
    said = form.errors[NON_FIELD_ERRORS]
    said.insert(0, said.pop())  # first: it explains the refusal that follows


def _staff_line(event: CaseEvent) -> str:
    """Who wrote a timeline entry, as a colleague names them: 张三（和平街道受理员）."""
    if event.actor is None or event.actor_kind != ActorKind.STAFF:
        return str(event.get_actor_kind_display())
    posts = [_("%(role)s, %(place)s") % {"place": a.department or a.region, "role": a.get_role_display()}
             for a in event.actor.role_assignments]
    if not posts:
        return str(event.actor)
    return _("%(name)s (%(posts)s)") % {"name": event.actor, "posts": ("、" if get_language().startswith("zh")
                                                                          else "; ").join(posts)}


@login_required
@require_POST
def reveal_reporter(request, number: str):
    """显示 — unmask the reporter (logged by the action)."""
    case = _case_or_404(request.user, number)
    try:
        data = actions.reveal_reporter(case=case, actor=request.user, channel="web", ip_address=_client_ip(request))
    except CaseNotFound:
        raise Http404 from None
    except CaseError as error:
        # 200: htmx swaps only successful responses, and the refusal is meant to be read.
        return render(request, "web/partials/reporter.html", {"case": case, "error": error.message})
    return render(request, "web/partials/reporter.html", {"case": case, "revealed": data})


@login_required
@require_GET
def attachment(request, number: str, pk: int):
    """A case's file, only to those who may see the case (media is not public)."""
    case = _case_or_404(request.user, number)
    return attachment_response(get_object_or_404(CaseAttachment, pk=pk, case=case))


# --------------------------------------------------------------------------------------------
# Hotline intake (热线受理)
# --------------------------------------------------------------------------------------------


def _file_hotline_case(form: HotlineForm, user, kept=()):
    """create → (accept → dispatch) in one action: a failure writes nothing. ``kept``: the files
    kept with the form while it asked about a likely duplicate (``held_uploads``), opened."""
    return actions.file_and_dispatch(actor=user, dispatch_now=form.cleaned_data["dispatch_now"],
                                     attachments=[*kept, *form.files.getlist("attachments")], **form.create_kwargs())


@login_required
def hotline(request):
    if not permissions.can_file_cases(request.user):
        raise Http404
    duplicates, held = [], []
    if request.method == "POST":
        form = HotlineForm(request.POST, request.FILES)
        _files_not_kept(request, form, "attachments")  # unless kept while asking (below)
        key = str(form.data.get("submission") or "")[:64]
        # The files the page showed as kept (posted back by id): filed are exactly those.
        shown = {row_id(v) for v in request.POST.getlist("held")} - {None}
        held = [row for row in held_uploads.held_for(user=request.user, key=key) if row.pk in shown]
        dropped = row_id(request.POST.get("drop_held"))
        if dropped is not None:
            # 移除: that file is not filed; the form comes back as it was, nothing filed.
            held_uploads.discard(row for row in held if row.pk == dropped)
            held = [row for row in held if row.pk != dropped]
            duplicates = _duplicates_to_confirm(form, request.user) if form.is_valid() else []
        elif form.is_valid():
            duplicates = _duplicates_to_confirm(form, request.user)
            response = (_keep_while_asking(request, form, held) if duplicates
                        else _file_from_hotline(request, form, key, held, missing=len(shown) - len(held)))
            if response is not None:
                return response
    else:
        form = HotlineForm()
    grids = Region.objects.filter(level=RegionLevel.GRID, is_active=True, boundary__isnull=False).values("id", "name",
                                                                                              "boundary")
    return render(request, "web/hotline.html", {
        "form": form,
        "located": _located(form),
        "duplicates": duplicates,
        "duplicates_seen": ",".join(m.case.number for m in duplicates),
        "held": held,
        "held_names": "、".join(row.original_name for row in held),
        "map_data": {"grids": list(grids), "tiles": settings.WANGGE_TILE_URL or ""},
    })


def _keep_while_asking(request, form: HotlineForm, held: list) -> None:
    """The form goes back to ask about a likely duplicate: the files it carried are kept under its
    key (added to ``held``), or a file that fails the checks is said on the form, none kept."""
    if not form.cleaned_data.get("submission"):
        return  # a form without its key (an old page): the files cannot be found again
    try:
        held += held_uploads.keep(user=request.user, key=form.cleaned_data["submission"] or "",
                                  uploads=form.files.getlist("attachments"), already=len(held))
    except CaseError as error:
        _error_into_form(form, error)
    else:
        form.files_lost = False


def _file_from_hotline(request, form: HotlineForm, key: str, held: list, *, missing: int):
    """File the call with the kept files ``held`` and those it carries: the case page to go to,
    or None (the form comes back saying why). ``missing``: kept files the page showed that are
    no longer kept — filed with this form's case already (a second click), or too old: then the
    clerk chooses them again rather than filing the case without them."""
    kept = None if missing else held_uploads.opened(held)
    if kept is None:
        case = Case.objects.filter(source=form.SOURCE, external_id=key).first() if key else None
        if case is None:
            form.add_error("attachments", _("%(n)d of the files kept with this call are no longer kept (they are "
                                            "kept for %(hours)d hours): please choose them again.")
                           % {"n": missing or len(held), "hours": settings.WANGGE_HELD_UPLOAD_HOURS})
            return None
        case.replayed = True
    else:
        try:
            case = _file_hotline_case(form, request.user, kept)
        except IdempotencyKeyReused:
            # Saved once already, then changed (the browser's back button): say so once; a
            # deliberate second save files a new case.
            filed = Case.objects.filter(source=form.SOURCE, external_id=form.cleaned_data["submission"]).first()
            form.add_error(None, _("This form was already saved as case %(number)s. Save again to file what it "
                                   "holds now as a new case.") % {"number": filed.number if filed else "—"})
            form.new_submission()
            return None
        except CaseError as error:
            _error_into_form(form, error)
            return None
        finally:
            for f in kept:
                f.close()
    if getattr(case, "replayed", False):
        messages.info(request, _("Case %(number)s was already filed from this form: nothing new was "
                                 "filed.") % {"number": case.number})
    else:
        held_uploads.discard_form(user=request.user, key=key)
        if case.status == CaseStatus.DISPATCHED:
            messages.success(request, _("Case %(number)s filed, accepted and dispatched.") % {"number": case.number})
        else:
            messages.success(request, _("Case %(number)s filed.") % {"number": case.number})
    return redirect("web:case_detail", number=case.number)


def _duplicates_to_confirm(form: HotlineForm, user) -> list:
    """The likely duplicates (``queries.likely_duplicates``) of the call the valid ``form`` holds
    that the clerk has not yet chosen to file beside — none: file it. Not asked again of a form
    already saved (a double click, the back button): ``create_case``'s key answers that."""
    key = form.cleaned_data.get("submission")
    if key and Case.objects.filter(source=form.SOURCE, external_id=key).exists():
        return []
    kwargs = form.create_kwargs()
    lng, lat, region = kwargs["longitude"], kwargs["latitude"], kwargs["region"]
    grid_id = region.pk if region is not None else (geo.grid_index().lookup(lng, lat) if lng is not None else None)
    found = queries.likely_duplicates(user, grid_id=grid_id, category=kwargs["category"],
                                      description=kwargs["description"], longitude=lng, latitude=lat)
    confirmed = form.confirmed_duplicates()
    return found if any(m.case.number not in confirmed for m in found) else []


def _located(form: HotlineForm) -> str:
    """A refused form comes back with the place it was given: the address search's "grid set"
    line, as the search wrote it (community › grid), for the grid the form received."""
    if not form.is_bound:
        return ""
    grid = Region.objects.filter(pk=row_id(form.data.get("grid")) or 0, level=RegionLevel.GRID).first()
    if grid is None:
        return ""
    names = [r.name for r in Region.objects.get_ancestors(grid) if r.level == RegionLevel.COMMUNITY]
    return _("Grid set: {grid}").format(grid=" › ".join([*names, grid.name]))


@login_required
def field_report(request):
    """随手报 — a grid worker files what they found: the patrol channel, their grid."""
    from wangge.org.scope import FIELD_ROLES

    grids = permissions.Scope.of(request.user).regions_for(FIELD_ROLES)
    if not grids:
        raise Http404
    form = FieldReportForm(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.create_case(actor=request.user, attachments=request.FILES.getlist("photos"),
                                       **form.create_kwargs())
        except CaseError as error:
            _error_into_form(form, error)
        else:
            messages.success(request, _("Reported: case %(number)s.") % {"number": case.number})
            return redirect("web:case_detail", number=case.number)
    if request.method == "POST":
        _files_not_kept(request, form, "photos")
    return render(request, "web/field_report.html", {"form": form, "grids": grids})


@login_required
@require_POST
def hotline_caller(request):
    """来电历史 — the caller's earlier cases, reporter masked: for intake clerks only, limited and
    logged by the action. Posted (with the CSRF token), never asked with the number in the URL.
    A refusal is meant to be read: htmx swaps only successful responses, so it gets it with 200;
    any other client gets the real status (403, 429). A caller with more cases than are shown
    gets a link to all of them in the case list, under a key (``caller_keys``): the look-up is
    not counted again, and the number is not typed again."""
    phone = request.POST.get("reporter_phone", "")
    try:
        history = actions.look_up_caller(actor=request.user, phone=phone, ip_address=_client_ip(request))
    except CaseError as error:
        status = 200 if request.headers.get("HX-Request") == "true" else error.status_code
        return render(request, "web/partials/caller_history.html", {"error": error.message}, status=status)
    more = history.total > len(history.cases)
    return render(request, "web/partials/caller_history.html", {
        "cases": history.cases, "total": history.total, "asked": actions.valid_phone(phone),
        "all_url": _list_url(urlencode({caller_keys.PARAM: caller_keys.remember(request, normalise_phone(phone))}))
        if more else "",
    })


@login_required
@require_GET
def hotline_similar(request):
    category = Category.objects.filter(pk=row_id(request.GET.get("category")) or 0).first()
    grid_id = row_id(request.GET.get("grid"))
    try:
        lng, lat = float(request.GET.get("longitude", "")), float(request.GET.get("latitude", ""))
    except ValueError:
        lng = lat = None
    if lng is not None and -180 <= lng <= 180 and -90 <= lat <= 90:
        found = geo.grid_index().lookup(lng, lat)
        grid_id = found or grid_id
    else:
        lng = lat = None
    matches = queries.similar_open_cases(request.user, grid_id=grid_id, category=category, longitude=lng, latitude=lat,
                                         description=request.GET.get("description", "")[:5000])
    return render(request, "web/partials/similar_cases.html", {"matches": matches, "asked": bool(grid_id) or lng is not None})


@login_required
@require_GET
def hotline_suggest(request):
    return render(request, "web/partials/category_suggestions.html",
                  {"suggestions": queries.suggest_categories(request.GET.get("description", ""))})


@login_required
@require_GET
def places(request):
    """地址查找 — the territory's compounds, buildings and addresses matching ``q`` (拼音 initials
    too), each with the grid it sets."""
    return JsonResponse({"results": [p.as_json() for p in address.search(request.GET.get("q", ""))]})


@login_required
@require_GET
def locate(request):
    """Map click → grid (坐标落格)."""
    try:
        lng, lat = float(request.GET["lng"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give a longitude and a latitude.")}, status=400)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return JsonResponse({"error": _("The coordinates are not valid.")}, status=400)
    grid = geo.find_grid(lng, lat)
    if grid is None:
        return JsonResponse({"grid": None, "message": _("That location is outside every grid of this platform.")})
    return JsonResponse({"grid": grid.pk, "name": grid.full_name})


# --------------------------------------------------------------------------------------------
# Notifications (通知中心)
# --------------------------------------------------------------------------------------------


# What a group of notifications of a kind opens in the case list (one click to the filtered list).
KIND_FILTERS = {"overdue": {"light": "red", "is_open": "true"}, "nearing": {"light": "amber", "is_open": "true"},
                "assigned": {"status": "dispatched"}, "urged": {"is_open": "true"}, "escalated": {"is_open": "true"},
                "reopened": {"is_open": "true"}, "returned": {"status": "accepted"}, "resolved": {"status": "resolved"}}
GROUP_AT = 3  # this many of one kind in one community are shown as one line


def _with_cases(user, items: list) -> None:
    """Each notification about a case gets the case (title, place) — read through the user's scope."""
    case_type = ContentType.objects.get_for_model(Case)
    ids = {n.subject_id for n in items if n.subject_type_id == case_type.pk and n.subject_id}
    cases = {c.pk: c for c in selectors.cases_visible_to(user).filter(pk__in=ids).select_related("community", "grid")}
    for n in items:
        n.case = cases.get(n.subject_id) if n.subject_type_id == case_type.pk else None


def _grouped(items: list) -> list[dict]:
    """Notifications of one kind about cases of one community, when there are several, become one
    row ("12 cases went overdue in 和顺里社区") with a link to the list they make; others stay."""
    buckets: dict[tuple, list] = {}
    for n in items:
        if n.case is not None and n.case.community_id:
            buckets.setdefault((n.kind, n.case.community_id), []).append(n)
    rows, done = [], set()
    for n in items:
        key = (n.kind, n.case.community_id) if n.case is not None and n.case.community_id else None
        group = buckets.get(key) if key else None
        if group and len(group) >= GROUP_AT:
            if key in done:
                continue
            done.add(key)
            params = {**KIND_FILTERS.get(n.kind, {"is_open": "true"}), "community": n.case.community_id}
            rows.append({"group": True, "kind": n.kind, "label": n.get_kind_display(), "items": group,
                         "community": n.case.community, "unread": sum(1 for g in group if not g.read_at),
                         "url": reverse("web:case_list") + "?" + urlencode(params), "latest": group[0].created_at})
        else:
            rows.append({"group": False, "n": n})
    return rows


@login_required
def notifications(request):
    qs = Notification.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = page_number(request.GET.get("page"))
    start = (page - 1) * NOTIFICATION_PAGE
    chunk = list(qs[start:start + NOTIFICATION_PAGE + 1])
    items = chunk[:NOTIFICATION_PAGE]
    _with_cases(request.user, items)
    return render(request, "web/notifications.html", {
        "rows": _grouped(items),
        "items": items,
        "page": page,
        "has_next": len(chunk) > NOTIFICATION_PAGE,
        "only_unread": only_unread,
        "digest": NotificationPreference.digest_for(request.user),
    })


@login_required
@require_POST
def notification_digest(request):
    """每日汇总 — one daily digest instead of (besides) each notification as it comes."""
    on = request.POST.get("digest") == "1"
    NotificationPreference.objects.update_or_create(user=request.user, defaults={"daily_digest": on})
    messages.success(request, _("Daily digest turned on.") if on else _("Daily digest turned off."))
    return redirect("web:notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    mark_read(user=request.user, ids=[pk])
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:notifications")  # only a path of ours ("abc" would be taken for a view's name)
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notifications_read_all(request):
    count = mark_read(user=request.user)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("web:notifications")


@login_required
@require_GET
def notification_open(request, pk: int):
    """Open what a notification is about (its link), marking it read."""
    item = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(user=request.user, ids=[pk])
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("web:notifications")
