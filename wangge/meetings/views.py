"""Pages for the convener (schedule, agenda builder beside the ledger, meeting day, minutes),
the figures tab and the residents' public page. Thin: selectors read, actions write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.cases.selectors import cases_visible_to
from wangge.core.errors import DomainError, NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import actions, minutes_pdf, selectors
from .choices import MeetingStatus, MinutesKind, TopicStatus
from .forms import (
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    ParticipantForm,
    ScheduleForm,
    TopicForm,
    convening_regions,
)
from .models import Amendment, MeetingSchedule, Minutes, Topic


def _meeting(request, pk):
    try:
        return selectors.meeting_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _run(request, fn, **kwargs) -> bool:
    """Run an action; a refusal becomes a message on the page (nothing was written)."""
    try:
        fn(**kwargs)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
        return False
    return True


def _form_error(request, form) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    """会议安排 — upcoming and past meetings, and the recurring schedules."""
    regions = convening_regions(request.user)
    form = MeetingForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = actions.create_meeting(actor=request.user, kind=d["kind"], level=d["level"],
                                                 region=d["region"], scheduled_at=d["scheduled_at"],
                                                 place=d["place"], title=d["title"])
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                return redirect(meeting.get_absolute_url())
        else:
            _form_error(request, form)
    meetings = selectors.meetings_visible_to(request.user)
    now = timezone.now()
    schedules = MeetingSchedule.objects.filter(region__in=regions).select_related("region", "convener")
    return render(request, "meetings/schedule.html", {
        "upcoming": meetings.filter(scheduled_at__gte=now - dt.timedelta(hours=12)).order_by("scheduled_at")[:50],
        "past": meetings.filter(scheduled_at__lt=now - dt.timedelta(hours=12))[:50],
        "form": form, "schedule_form": ScheduleForm(regions=regions), "schedules": schedules,
        "may_convene": regions.exists(),
    })


@login_required
@require_POST
def new_schedule(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST, regions=convening_regions(request.user))
    if form.is_valid():
        d = form.cleaned_data
        if _run(request, actions.create_schedule, actor=request.user, name=d["name"], kind=d["kind"],
                level=d["level"], region=d["region"], recurrence=d["recurrence"], first_date=d["first_date"],
                place=d["place"]):
            messages.success(request, _("Schedule saved: the next meeting is created ahead of time."))
    else:
        _form_error(request, form)
    return redirect("meetings:schedule")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """议程 — the agenda builder with the ledger (台账) and the topics beside it."""
    meeting = _meeting(request, pk)
    manager = selectors.may_manage(request.user, meeting)
    context = {
        "meeting": meeting, "manager": manager,
        "items": selectors.items_for(request.user, meeting),
        "participants": meeting.participants.select_related("user", "department"),
        "events": meeting.events.select_related("actor").order_by("-created_at", "-pk")[:30],
        "participant_form": ParticipantForm(), "topic_form": TopicForm(),
    }
    if manager and meeting.status == MeetingStatus.PLANNED:
        context["ledger"] = selectors.ledger_rows(request.user, meeting.region, meeting=meeting)
        topics = selectors.topics_for(request.user, meeting.region)
        used = set(meeting.items.exclude(topic=None).values_list("topic_id", flat=True))
        context["topics_pending"] = topics.filter(status=TopicStatus.PROPOSED)
        context["topics_ready"] = [t for t in topics.filter(status=TopicStatus.ACCEPTED) if t.pk not in used]
    return render(request, "meetings/detail.html", context)


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
    _run(request, actions.add_agenda_item, meeting=meeting, actor=request.user, case=case, topic=topic,
         title=request.POST.get("title", ""), is_dispute=bool(request.POST.get("is_dispute")))
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def remove_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    _run(request, actions.remove_agenda_item, item=item, actor=request.user)
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _run(request, actions.propose_agenda, meeting=meeting, actor=request.user)
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def add_participant(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(request, actions.add_participant, meeting=meeting, actor=request.user, department=d["department"],
             name=d["name"], role=d["role"], organisation=d["organisation"], phone=d["phone"])
    else:
        _form_error(request, form)
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def raise_topic(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(request, actions.raise_topic, actor=request.user, region=meeting.region, title=d["title"],
             description=d["description"], is_dispute=d["is_dispute"])
    else:
        _form_error(request, form)
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def vet_topic(request: HttpRequest, pk: int, topic_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    topic = selectors.topics_for(request.user, meeting.region).filter(pk=topic_id).first()
    if topic is None:
        raise Http404
    _run(request, actions.vet_topic, topic=topic, actor=request.user, accept=request.POST.get("accept") == "1",
         note=request.POST.get("note", ""))
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if _run(request, actions.publish_agenda, meeting=meeting, actor=request.user):
        return redirect("meetings:day", pk=meeting.pk)
    return redirect(meeting.get_absolute_url())


@login_required
def day(request: HttpRequest, pk: int) -> HttpResponse:
    """会中 — the meeting-day page (a tablet on the table): attendance and a decision per item."""
    meeting = _meeting(request, pk)
    items = selectors.items_for(request.user, meeting)
    rows = [{"item": item, "form": DecisionForm(prefix=f"i{item.pk}"),
             "attendance": AttendanceForm(prefix=f"a{item.pk}", meeting=meeting,
                                          initial={"present": list(item.attendees.all()),
                                                   "departments": list(item.departments_reported.all())})}
            for item in items]
    return render(request, "meetings/day.html", {
        "meeting": meeting, "rows": rows, "manager": selectors.may_manage(request.user, meeting),
        "undecided": sum(1 for i in items if not i.decision),
    })


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
        _run(request, actions.decide_item, item=item, actor=request.user, decision=d["decision"],
             outcome=d["outcome"], notes=d["notes"], lead_department=d["lead_department"],
             co_departments=list(d["co_departments"]), deadline=d["deadline"], resolve=d["resolve"])
    else:
        _form_error(request, form)
    return redirect(f"{meeting.get_absolute_url()}day/#item-{item.pk}")


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    form = AttendanceForm(request.POST, prefix=f"a{item.pk}", meeting=meeting)
    if form.is_valid():
        _run(request, actions.record_attendance, item=item, actor=request.user,
             present=list(form.cleaned_data["present"]), departments=list(form.cleaned_data["departments"]))
    else:
        _form_error(request, form)
    return redirect(f"{meeting.get_absolute_url()}day/#item-{item.pk}")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if _run(request, actions.close_meeting, meeting=meeting, actor=request.user):
        return redirect("meetings:minutes", pk=meeting.pk)
    return redirect("meetings:day", pk=meeting.pk)


def _main_minutes(meeting) -> Minutes | None:
    return meeting.minutes.filter(kind=MinutesKind.MINUTES).first()


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """纪要 — printable; draft with amendments, then signed off by the convener; addenda."""
    meeting = _meeting(request, pk)
    main = _main_minutes(meeting)
    if main is not None and request.method == "POST":
        what = request.POST.get("do")
        if what == "summary":
            _run(request, actions.update_minutes_summary, minutes=main, actor=request.user,
                 summary=request.POST.get("summary", ""))
        elif what == "amend":
            _run(request, actions.propose_amendment, minutes=main, actor=request.user, text=request.POST.get("text", ""))
        elif what in ("accept", "reject"):
            amendment = Amendment.objects.filter(minutes=main, pk=row_id(request.POST.get("amendment")) or 0).first()
            if amendment is None:
                raise Http404
            _run(request, actions.decide_amendment, amendment=amendment, actor=request.user, accept=what == "accept")
        elif what == "publish":
            if _run(request, actions.publish_minutes, minutes=main, actor=request.user):
                messages.success(request, _("Minutes published."))
        elif what == "addendum":
            _run(request, actions.add_addendum, minutes=main, actor=request.user, text=request.POST.get("text", ""))
        return redirect("meetings:minutes", pk=meeting.pk)
    items = main.items if main is not None and main.status == "final" else actions.minutes_snapshot(meeting)
    visible = {i.pk for i in selectors.items_for(request.user, meeting)}
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": main, "rows": [r for r in items if r["item"] in visible],
        "addenda": main.addenda.select_related("signed_by") if main else [],
        "amendments": main.amendments.select_related("proposed_by") if main else [],
        "manager": selectors.may_manage(request.user, meeting),
        "participants": meeting.participants.select_related("user", "department"),
    })


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
        rows.append({"meeting": meeting, "items": public_items(main.items if main else [])})
    return render(request, "meetings/public.html", {"community": community, "rows": rows})


def public_items(snapshot: list[dict]) -> list[dict]:
    """Only what residents are told: the title (numbers scrubbed), decision, outcome, lead, deadline."""
    from .text import scrub

    return [{"title": scrub(r["title"]), "decision": r["decision"], "decision_label": r["decision_label"],
             "outcome": scrub(r["outcome"]), "lead_department": r["lead_department"], "deadline": r["deadline"]}
            for r in snapshot]


