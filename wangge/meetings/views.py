"""Pages for the convener (schedule, agenda builder beside the ledger, meeting day, minutes),
the figures tab and the residents' public page. Thin: selectors read, actions write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from wangge.cases.choices import OPEN_STATUSES, CaseStatus
from wangge.cases.selectors import cases_visible_to
from wangge.core.errors import DomainError, NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import actions, minutes_pdf, selectors
from .choices import Decision, MeetingKind, MeetingStatus, MinutesKind, TopicStatus
from .forms import (
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    ParticipantForm,
    PublishAgendaForm,
    ScheduleForm,
    TopicForm,
    VetForm,
    convening_initial,
    convening_regions,
)
from .models import Amendment, MeetingSchedule, Minutes, Topic
from .text import outcome_shown


def _meeting(request, pk):
    try:
        return selectors.meeting_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _run(request, fn, **kwargs):
    """Run an action; a refusal becomes a message on the page (nothing was written).

    Returns what the action returned (``True`` for an action that returns nothing), or ``None``
    when it was refused."""
    try:
        result = fn(**kwargs)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
        return None
    return True if result is None else result


def _run_form(form, fn, **kwargs):
    """Run an action for a form; a refusal goes back into the form: on the field it names, else
    on the whole form (nothing was written). Returns what ``_run`` returns."""
    try:
        result = fn(**kwargs)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        field = next((f for f in error.fields if f in form.fields), None)
        form.add_error(field, str(error.message))
        return None
    return True if result is None else result


def _at_top(url: str) -> str:
    """After a form posted to ``…#its-anchor`` (so that a refusal shows at the form), the page the
    redirect leads to would keep that anchor: open it at the top, where the message is."""
    return f"{url}#top"


def _errors_as_message(request, form) -> None:
    """For a refused form the page would no longer show (the meeting moved on meanwhile)."""
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


# ---------------------------------------------------------------------------------------------
# 会议安排 — the schedule and the new-meeting form
# ---------------------------------------------------------------------------------------------


def _schedule_page(request, *, form=None, schedule_form=None) -> HttpResponse:
    """The schedule page; a form the user sent back with errors is shown as they left it."""
    regions = convening_regions(request.user)
    initial = convening_initial(request.user)
    meetings = selectors.meetings_visible_to(request.user)
    now = timezone.now()
    schedules = MeetingSchedule.objects.filter(region__in=regions).select_related("region", "convener")
    return render(request, "meetings/schedule.html", {
        "upcoming": meetings.filter(scheduled_at__gte=now - dt.timedelta(hours=12)).order_by("scheduled_at")[:50],
        "past": meetings.filter(scheduled_at__lt=now - dt.timedelta(hours=12))[:50],
        "form": form or MeetingForm(regions=regions, initial=initial),
        "schedule_form": schedule_form or ScheduleForm(regions=regions, initial=initial),
        "schedules": schedules, "may_convene": regions.exists(),
    })


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """会议安排 — upcoming and past meetings, and the recurring schedules."""
    if request.method != "POST":
        return _schedule_page(request)
    form = MeetingForm(request.POST, regions=convening_regions(request.user))
    if form.is_valid():
        d = form.cleaned_data
        meeting = _run_form(form, actions.create_meeting, actor=request.user, kind=d["kind"], level=d["level"],
                            region=d["region"], scheduled_at=d["scheduled_at"], place=d["place"], title=d["title"])
        if meeting:
            messages.success(request, _("Meeting scheduled: %(title)s.") % {"title": meeting.title})
            return redirect(meeting.get_absolute_url())
    return _schedule_page(request, form=form)


@login_required
@require_POST
def new_schedule(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST, regions=convening_regions(request.user))
    if form.is_valid():
        d = form.cleaned_data
        if _run_form(form, actions.create_schedule, actor=request.user, name=d["name"], kind=d["kind"],
                     level=d["level"], region=d["region"], recurrence=d["recurrence"],
                     first_date=d["first_date"], place=d["place"]):
            messages.success(request, _("Schedule saved: the next meeting is created ahead of time."))
            return redirect(_at_top(reverse("meetings:schedule")))
    return _schedule_page(request, schedule_form=form)


# ---------------------------------------------------------------------------------------------
# 议程 — the agenda builder beside the ledger and the topics
# ---------------------------------------------------------------------------------------------


def _detail_page(request, meeting, *, participant_form=None, topic_form=None, vetting=None,
                 publish_form=None) -> HttpResponse:
    """The meeting page; a form sent back with errors (``vetting``: the topic and its vetting
    form; ``publish_form``: publishing refused) is shown open, as the user left it, with the
    errors at the fields."""
    manager = selectors.may_manage(request.user, meeting)
    context = {
        "meeting": meeting, "manager": manager, "open_statuses": list(OPEN_STATUSES),
        "items": selectors.items_for(request.user, meeting),
        "participants": meeting.participants.select_related("user", "department"),
        "events": meeting.events.select_related("actor").order_by("-created_at", "-pk")[:30],
        "participant_form": participant_form or ParticipantForm(), "topic_form": topic_form or TopicForm(),
        "publish_form": publish_form,
    }
    if manager and meeting.status == MeetingStatus.PLANNED:
        # Publishing refused for want of a department: the refusal at the button says it all (the
        # departments involved too) and opens the invitation below it; the same warning again at
        # the top of the page would only be read twice.
        refusal = actions.departments_refusal(meeting) if publish_form is not None else ""
        context["departments_refused"] = bool(refusal) and refusal in map(str, publish_form.non_field_errors())
        context["no_department"] = "" if context["departments_refused"] else _no_department_text(meeting)
    elif manager and meeting.status == MeetingStatus.AGENDA_PUBLISHED:  # published before it was refused
        context["no_department"] = actions.departments_refusal(meeting)
    if manager and meeting.status == MeetingStatus.PLANNED:
        context["ledger"] = selectors.ledger_rows(request.user, meeting.region, meeting=meeting)
        topics = selectors.topics_for(request.user, meeting.region)
        used = set(meeting.items.exclude(topic=None).values_list("topic_id", flat=True))
        pending = list(topics.filter(status=TopicStatus.PROPOSED))
        for topic in pending:
            topic.vet_form = vetting[1] if vetting and vetting[0].pk == topic.pk else VetForm(prefix=f"t{topic.pk}")
        context["topics_pending"] = pending
        context["topics_ready"] = [t for t in topics.filter(status=TopicStatus.ACCEPTED) if t.pk not in used]
    return render(request, "meetings/detail.html", context)


_NO_DEPARTMENT_WARNING = {  # one sentence per kind, as actions.DEPARTMENTS_REFUSAL (no label mid-sentence)
    MeetingKind.BIMONTHLY: gettext_lazy(
        "No department is invited. A bimonthly consultation brings the departments the problems involve to the "
        "table: invite them before publishing the agenda."),
    MeetingKind.DEPARTMENT: gettext_lazy(
        "No department is invited. A department consultation brings the departments the problems involve to the "
        "table: invite them before publishing the agenda."),
}


def _no_department_text(meeting) -> str:
    """The warning of a meeting that needs departments and has none invited ('' when it has)."""
    return actions.departments_notice(meeting, _NO_DEPARTMENT_WARNING)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """议程 — the agenda builder with the ledger (台账) and the topics beside it."""
    return _detail_page(request, _meeting(request, pk))


@login_required
@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    case = topic = None
    if request.POST.get("case"):
        case = cases_visible_to(request.user).filter(pk=row_id(request.POST["case"]) or 0).first()
        if case is None:
            messages.error(request, _("Unknown case."))
            return redirect(meeting.get_absolute_url())
    if request.POST.get("topic"):
        topic = Topic.objects.filter(pk=row_id(request.POST["topic"]) or 0).first()
        if topic is None:
            messages.error(request, _("Unknown topic."))
            return redirect(meeting.get_absolute_url())
    item = _run(request, actions.add_agenda_item, meeting=meeting, actor=request.user, case=case, topic=topic,
                title=request.POST.get("title", ""), is_dispute=bool(request.POST.get("is_dispute")))
    if item:
        if item.case_id:
            messages.success(request, _("%(number)s is on the agenda.") % {"number": item.case.number})
        else:
            messages.success(request, _("“%(title)s” is on the agenda.") % {"title": item.title})
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def remove_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    if _run(request, actions.remove_agenda_item, item=item, actor=request.user):
        messages.success(request, _("“%(title)s” is off the agenda.") % {"title": item.title})
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    added = _run(request, actions.propose_agenda, meeting=meeting, actor=request.user)
    if added is not None:
        if not added:
            messages.info(request, _("Nothing new to put on the agenda: every ledger case and vetted topic is on one."))
        else:
            messages.success(request, ngettext("%(n)d item put on the agenda from the ledger and vetted topics.",
                                               "%(n)d items put on the agenda from the ledger and vetted topics.",
                                               len(added)) % {"n": len(added)})
    return redirect(meeting.get_absolute_url())


def _invited(d) -> str:
    """Who was just invited, as the convener typed it (the page masks representatives' names)."""
    if d["department"] is not None:
        return str(d["department"])
    return " ".join(x for x in (d["organisation"].strip(), d["name"].strip()) if x)


@login_required
@require_POST
def add_participant(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _run_form(form, actions.add_participant, meeting=meeting, actor=request.user, department=d["department"],
                     name=d["name"], role=d["role"], organisation=d["organisation"], phone=d["phone"]):
            messages.success(request, _("Invited %(who)s.") % {"who": _invited(d)})
            return redirect(_at_top(meeting.get_absolute_url()))
    meeting.refresh_from_db()
    if not (selectors.may_manage(request.user, meeting)
            and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)):
        _errors_as_message(request, form)
        return redirect(_at_top(meeting.get_absolute_url()))
    return _detail_page(request, meeting, participant_form=form)


@login_required
@require_POST
def raise_topic(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        topic = _run_form(form, actions.raise_topic, actor=request.user, region=meeting.region, title=d["title"],
                          description=d["description"], is_dispute=d["is_dispute"])
        if topic:
            messages.success(request, _("Topic “%(title)s” raised: once accepted it can go on the agenda.")
                             % {"title": topic.title})
            return redirect(_at_top(meeting.get_absolute_url()))
    meeting.refresh_from_db()
    if not (selectors.may_manage(request.user, meeting) and meeting.status == MeetingStatus.PLANNED):
        _errors_as_message(request, form)
        return redirect(_at_top(meeting.get_absolute_url()))
    return _detail_page(request, meeting, topic_form=form)


@login_required
@require_POST
def vet_topic(request: HttpRequest, pk: int, topic_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    topic = selectors.topics_for(request.user, meeting.region).filter(pk=topic_id).first()
    if topic is None:
        raise Http404
    form = VetForm(request.POST, prefix=f"t{topic.pk}")
    accept = request.POST.get("accept") == "1"
    if form.is_valid() and _run_form(form, actions.vet_topic, topic=topic, actor=request.user, accept=accept,
                                     note=form.cleaned_data["note"]):
        text = _("Topic “%(title)s” accepted.") if accept else _("Topic “%(title)s” rejected.")
        messages.success(request, text % {"title": topic.title})
        return redirect(_at_top(meeting.get_absolute_url()))
    meeting.refresh_from_db()
    topic.refresh_from_db()
    if not (selectors.may_manage(request.user, meeting) and meeting.status == MeetingStatus.PLANNED
            and topic.status == TopicStatus.PROPOSED):
        _errors_as_message(request, form)
        return redirect(_at_top(meeting.get_absolute_url()))
    return _detail_page(request, meeting, vetting=(topic, form))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = PublishAgendaForm(request.POST)
    if form.is_valid() and _run_form(form, actions.publish_agenda, meeting=meeting, actor=request.user):
        messages.success(request, _("Agenda published; the participants are notified."))
        return redirect("meetings:day", pk=meeting.pk)
    meeting.refresh_from_db()
    if not (selectors.may_manage(request.user, meeting) and meeting.status == MeetingStatus.PLANNED):
        _errors_as_message(request, form)
        return redirect(_at_top(meeting.get_absolute_url()))
    return _detail_page(request, meeting, publish_form=form)


# ---------------------------------------------------------------------------------------------
# 会中 — the meeting day
# ---------------------------------------------------------------------------------------------


def _day_page(request, meeting, *, bound=None) -> HttpResponse:
    """The meeting-day page; ``bound``: the item and the form sent back with errors, shown as left."""
    items = selectors.items_for(request.user, meeting)
    rows = []
    for item in items:
        row = {"item": item, "form": DecisionForm(prefix=f"i{item.pk}"),
               "attendance": AttendanceForm(prefix=f"a{item.pk}", meeting=meeting,
                                            initial={"present": list(item.attendees.all()),
                                                     "departments": list(item.departments_reported.all())})}
        if bound and bound[0].pk == item.pk:
            row["attendance" if isinstance(bound[1], AttendanceForm) else "form"] = bound[1]
        # "Resolve the case with this outcome" is offered only to whom the core lets resolve it.
        row["may_resolve"] = selectors.may_resolve(request.user, item.case) if item.case_id else False
        row["case_open"] = bool(item.case_id) and item.case.status in OPEN_STATUSES
        rows.append(row)
    return render(request, "meetings/day.html", {
        "meeting": meeting, "rows": rows, "manager": selectors.may_manage(request.user, meeting),
        "undecided": sum(1 for i in items if not i.decision),
        # Why attendance, decisions and closing are refused, before the secretary tries them.
        "no_department": (actions.departments_refusal(meeting)
                          if meeting.status == MeetingStatus.AGENDA_PUBLISHED else ""),
    })


@login_required
def day(request: HttpRequest, pk: int) -> HttpResponse:
    """会中 — the meeting-day page (a tablet on the table): attendance and a decision per item."""
    return _day_page(request, _meeting(request, pk))


def _day_item_url(meeting, item) -> str:
    return f"{meeting.get_absolute_url()}day/#item-{item.pk}"


def _day_form_back(request, meeting, item, form) -> HttpResponse:
    """A refused attendance or decision form: back on the meeting day as it was sent, the error at
    the field; as a message when the page no longer shows that form (decided or closed meanwhile)."""
    meeting.refresh_from_db()
    item.refresh_from_db()
    if not (selectors.may_manage(request.user, meeting) and meeting.status == MeetingStatus.AGENDA_PUBLISHED
            and not item.decision):
        _errors_as_message(request, form)
        return redirect(_at_top(reverse("meetings:day", args=[meeting.pk])))
    return _day_page(request, meeting, bound=(item, form))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    form = DecisionForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        d = form.cleaned_data
        decided = _run_form(form, actions.decide_item, item=item, actor=request.user, decision=d["decision"],
                            outcome=d["outcome"], notes=d["notes"], lead_department=d["lead_department"],
                            co_departments=list(d["co_departments"]), deadline=d["deadline"], resolve=d["resolve"],
                            category=d["category"])
        if decided:
            messages.success(request, decision_message(decided))
            return redirect(_day_item_url(meeting, item))
    return _day_form_back(request, meeting, item, form)


def decision_message(item) -> str:
    """What the convener is told once a decision is recorded: what was recorded, and what became
    of the case — never that it was resolved when it was not."""
    effects = getattr(item, "effects", {})
    parts = [_("Decision recorded for “%(title)s”: %(decision)s.")
             % {"title": item.title, "decision": item.get_decision_display()}]
    case = item.case if item.case_id else None
    number = case.number if case is not None else ""
    lead = str(item.lead_department) if item.lead_department_id else ""
    deadline = item.deadline.isoformat() if item.deadline else ""
    if "filed" in effects:
        if effects.get("lead_holds"):
            parts.append(_("Filed as case %(number)s and dispatched to %(lead)s, to be done by %(date)s.")
                         % {"number": number, "lead": lead, "date": deadline})
        else:
            parts.append(_("Filed as case %(number)s; the sub-district's dispatchers send it to %(lead)s.")
                         % {"number": number, "lead": lead})
    elif case is not None and item.decision == Decision.SOLVED:
        if effects.get("finished"):
            parts.append(_("Case %(number)s was already %(status)s before the meeting; it stays as it is.")
                         % {"number": number, "status": CaseStatus(effects["finished"]).label})
        elif effects.get("resolved"):
            parts.append(_("Case %(number)s is resolved with this outcome.") % {"number": number})
        elif effects.get("holder_told"):
            parts.append(_("Case %(number)s is not resolved: it stays with %(holder)s, who has been asked to "
                           "resolve it.") % {"number": number, "holder": effects.get("holder")})
        elif effects.get("holder") == "":
            parts.append(_("Case %(number)s is not resolved: it has no handler yet; dispatch it first.")
                         % {"number": number})
        else:
            parts.append(_("Case %(number)s is not resolved.") % {"number": number})
    elif case is not None and item.decision == Decision.PLAN:
        if effects.get("redispatch_asked"):
            parts.append(_("Case %(number)s stays with %(holder)s, who has been asked to return it so that it can "
                           "be sent to %(lead)s.") % {"number": number, "holder": effects["redispatch_asked"],
                                                      "lead": lead})
        elif effects.get("lead_holds"):
            parts.append(_("Case %(number)s is with %(lead)s.") % {"number": number, "lead": lead})
    if item.decision == Decision.PLAN and case is not None and not effects.get("deadline_agreed", True):
        parts.append(_("The agreed deadline is on the minutes; you may not set it on the case."))
    return _sentences(parts)


def _sentences(parts: list[str]) -> str:
    """Chinese sentences follow each other without a space; English ones with one."""
    from django.utils.translation import get_language

    return ("" if (get_language() or "").lower().startswith("zh") else " ").join(parts)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    form = AttendanceForm(request.POST, prefix=f"a{item.pk}", meeting=meeting)
    if form.is_valid() and _run_form(form, actions.record_attendance, item=item, actor=request.user,
                                     present=list(form.cleaned_data["present"]),
                                     departments=list(form.cleaned_data["departments"])):
        messages.success(request, _("Attendance saved for “%(title)s”.") % {"title": item.title})
        return redirect(_day_item_url(meeting, item))
    return _day_form_back(request, meeting, item, form)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if _run(request, actions.close_meeting, meeting=meeting, actor=request.user):
        messages.success(request, _("Meeting closed: the draft minutes are ready."))
        return redirect("meetings:minutes", pk=meeting.pk)
    return redirect("meetings:day", pk=meeting.pk)


def _main_minutes(meeting) -> Minutes | None:
    return meeting.minutes.filter(kind=MinutesKind.MINUTES).first()


# What the minutes page's buttons do: the action, and what the user is told once it is done.
_MINUTES_DONE = {
    "summary": gettext_lazy("The draft minutes are saved."),
    "amend": gettext_lazy("Amendment proposed: the convener accepts or rejects it before signing off."),
    "accept": gettext_lazy("Amendment accepted."),
    "reject": gettext_lazy("Amendment rejected."),
    "publish": gettext_lazy("Minutes published."),
    "addendum": gettext_lazy("Addendum added to the minutes."),
}
_MINUTES_TYPED = {"summary": "summary", "amend": "text", "addendum": "text"}  # forms with text the user typed


def _minutes_page(request, meeting, main, *, typed=None) -> HttpResponse:
    """The minutes page; ``typed``: a text sent back with its error, shown as the user left it."""
    items = main.items if main is not None and main.status == "final" else actions.minutes_snapshot(meeting)
    visible = {i.pk for i in selectors.items_for(request.user, meeting)}
    rows = [{**r, "outcome_shown": outcome_shown(r["outcome"], r["decision_label"])} for r in items
            if r["item"] in visible]
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": main, "rows": rows,
        "addenda": main.addenda.select_related("signed_by") if main else [],
        "amendments": main.amendments.select_related("proposed_by") if main else [],
        "manager": selectors.may_manage(request.user, meeting),
        "participants": meeting.participants.select_related("user", "department"),
        "typed": typed or {},
    })


def _minutes_action(request, main, what: str):
    if what == "summary":
        return actions.update_minutes_summary(minutes=main, actor=request.user, summary=request.POST.get("summary", ""))
    if what == "amend":
        return actions.propose_amendment(minutes=main, actor=request.user, text=request.POST.get("text", ""))
    if what in ("accept", "reject"):
        amendment = Amendment.objects.filter(minutes=main, pk=row_id(request.POST.get("amendment")) or 0).first()
        if amendment is None:
            raise Http404
        return actions.decide_amendment(amendment=amendment, actor=request.user, accept=what == "accept")
    if what == "publish":
        return actions.publish_minutes(minutes=main, actor=request.user)
    return actions.add_addendum(minutes=main, actor=request.user, text=request.POST.get("text", ""))


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """纪要 — printable; draft with amendments, then signed off by the convener; addenda."""
    meeting = _meeting(request, pk)
    main = _main_minutes(meeting)
    what = request.POST.get("do")
    if main is None or request.method != "POST" or what not in _MINUTES_DONE:
        if request.method == "POST":
            return redirect("meetings:minutes", pk=meeting.pk)
        return _minutes_page(request, meeting, main)
    try:
        _minutes_action(request, main, what)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if what in _MINUTES_TYPED:
            return _minutes_page(request, meeting, main, typed={
                "do": what, "text": request.POST.get(_MINUTES_TYPED[what], ""), "error": str(error.message)})
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(_MINUTES_DONE[what]))
    return redirect("meetings:minutes", pk=meeting.pk)


@login_required
@require_GET
def minutes_file(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    main = _main_minutes(meeting)
    if main is None:
        raise Http404
    if not selectors.sees_whole_meeting(request.user, meeting):
        raise Http404
    data = minutes_pdf.render(meeting, main)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """协商议事 — the dashboard tab: meetings per level and month, outcomes, disputes mediated."""
    if not selectors.is_convener_anywhere(request.user):
        raise Http404
    data = selectors.figures(request.user)
    from .choices import MeetingLevel

    return render(request, "meetings/figures.html", {"figures": data, "levels": MeetingLevel.choices,
                                                     "current_tab": "meetings"})


@require_GET
def public(request: HttpRequest, community_id: int) -> HttpResponse:
    """协商结果公开 — a community's published outcomes in plain words, with no personal data."""
    community = Region.objects.filter(pk=community_id, level=RegionLevel.COMMUNITY, is_active=True).first()
    if community is None:
        raise Http404
    rows = []
    for meeting in selectors.public_meetings(community)[:24]:
        main = _main_minutes(meeting)
        snapshot = main.items if main else []
        still_open = selectors.items_with_open_case([r["item"] for r in snapshot])
        rows.append({"meeting": meeting, "items": public_items(snapshot, still_open=still_open,
                                                               today=timezone.localdate())})
    return render(request, "meetings/public.html", {"community": community, "rows": rows})


def public_items(snapshot: list[dict], *, still_open: set[int] = frozenset(),
                 today: dt.date | None = None) -> list[dict]:
    """Only what residents are told: the title (numbers scrubbed), decision, outcome, lead, deadline.
    An item found solved at the meeting whose case is still open (``still_open``: those items) is
    not called solved: residents are told it is being carried out. An agreed plan says where it
    stands (反馈): done, under way, or past its deadline and not done — a deadline alone, months
    later, would read as if it had been kept."""
    from .text import scrub

    rows = []
    for r in snapshot:
        label = r["decision_label"]
        if r["decision"] == Decision.SOLVED and r["item"] in still_open:
            label = _("Agreed at the meeting, being carried out")
        progress = ""
        if r["decision"] == Decision.PLAN and r.get("case"):
            if r["item"] not in still_open:
                progress = "done"
            elif today is not None and r["deadline"] and r["deadline"] < today.isoformat():
                progress = "overdue"
            else:
                progress = "underway"
        rows.append({"title": scrub(r["title"]), "decision": r["decision"], "decision_label": label,
                     "outcome": scrub(outcome_shown(r["outcome"], r["decision_label"])),
                     "lead_department": r["lead_department"], "deadline": r["deadline"], "progress": progress})
    return rows


