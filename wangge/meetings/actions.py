"""Every write of the meetings app (协商议事). Each action checks the actor's permission, locks
its rows, validates, writes the change and one ``MeetingEvent`` (which publishes its domain event
``meeting_<type>``) in one transaction; notifications are written in the same transaction.

A case is changed only through ``wangge.cases.actions`` — a decision that solves, plans,
escalates or re-dispatches a case calls the core's action with the same actor, so the core's
own permission rules apply and a refusal rolls the whole decision back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.cases import actions as case_actions
from wangge.cases import selectors as case_selectors
from wangge.cases.choices import OPEN_STATUSES, CaseStatus, StarLevel
from wangge.core.actors import Actor
from wangge.core.events import DomainEvent, publish
from wangge.core.language import office_text
from wangge.notifications.outbox import queue_message
from wangge.notifications.services import notify
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Department, Region, User
from wangge.residents.masking import normalise_phone

from . import selectors
from .choices import (
    AmendmentStatus,
    Decision,
    MeetingEventType,
    MeetingKind,
    MeetingLevel,
    MeetingStatus,
    MinutesKind,
    MinutesStatus,
    ParticipantKind,
    Recurrence,
    RepresentativeRole,
    TopicStatus,
)
from .errors import (
    DepartmentsNotInvited,
    Forbidden,
    InvalidInput,
    InvalidState,
    MeetingNotFound,
    MinutesFinal,
    NotConvener,
)
from .models import (
    AgendaItem,
    Amendment,
    Meeting,
    MeetingEvent,
    MeetingSchedule,
    Minutes,
    Participant,
    Topic,
)

NOTIFICATION_KIND = "meeting"
TIMELINE_AGENDA = "meeting_agenda"
TIMELINE_DECISION = "meeting_decision"
SMS_TEMPLATE = "meeting_outcome"
CASE_CHANNEL = "meeting"  # 协商议事: a topic's agreed plan filed as a case
MOBILE = re.compile(r"1[3-9]\d{9}")

# The territory level each meeting level sits at (a compound — 小区 — is held at a grid or community).
LEVEL_REGIONS = {
    MeetingLevel.SUBDISTRICT: {RegionLevel.SUBDISTRICT},
    MeetingLevel.COMMUNITY: {RegionLevel.COMMUNITY},
    MeetingLevel.COMPOUND: {RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.BUILDING},
    MeetingLevel.GRID: {RegionLevel.GRID},
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _text(value, *, field: str, label: str, required: bool = False, max_length: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, fields={field: "required"})
    if len(text) > max_length:
        raise InvalidInput(_("%(label)s is too long (at most %(n)d characters).") % {"label": label, "n": max_length},
                           fields={field: "too_long"})
    return text


def _user(actor) -> User:
    if isinstance(actor, Actor):
        actor = actor.user
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise MeetingNotFound()
    return actor


def _lock_meeting(meeting: Meeting | int) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    found = Meeting.objects.select_for_update(of=("self",)).select_related("region").filter(pk=pk).first()
    if found is None:
        raise MeetingNotFound()
    return found


def _require_manager(user: User, meeting: Meeting) -> None:
    if not selectors.meetings_visible_to(user).filter(pk=meeting.pk).exists():
        raise MeetingNotFound()
    if not selectors.may_manage(user, meeting):
        raise NotConvener()


def _require_status(meeting: Meeting, *allowed: str, message) -> None:
    if meeting.status not in allowed:
        raise InvalidState(message)


def _record(meeting: Meeting, type: str, *, actor: User | None, note: str = "", data: dict | None = None,
            item: AgendaItem | None = None) -> MeetingEvent:
    """Write one meeting event and publish its domain event (``meeting_<type>``)."""
    event = MeetingEvent.objects.create(meeting=meeting, type=type, actor=actor, note=note, data=data or {},
                                        item=item)
    publish(DomainEvent(
        name=f"meeting_{type}", subject="meetings.meeting", subject_id=meeting.pk,
        key=f"meetings.meetingevent:{event.pk}", occurred_at=event.created_at,
        actor_id=actor.pk if actor else None, actor_kind="staff" if actor else "system",
        payload={"type": type, "kind": meeting.kind, "level": meeting.level, "region_id": meeting.region_id,
                 "item_id": item.pk if item else None, "case_id": item.case_id if item else None,
                 "data": event.data},
    ))
    return event


def _community_of(region: Region) -> Region | None:
    if region.level == RegionLevel.COMMUNITY:
        return region
    return region.ancestor_at(RegionLevel.COMMUNITY)


def _department_officers(departments: Iterable[Department]) -> list[User]:
    ids = [d.pk for d in departments]
    if not ids:
        return []
    return list(User.objects.filter(roles__role=Role.DEPARTMENT_OFFICER, roles__department_id__in=ids,
                                    roles__is_active=True, is_active=True).distinct())


def _participant_users(meeting: Meeting) -> list[User]:
    users = [p.user for p in meeting.participants.select_related("user") if p.user_id]
    departments = [p.department for p in meeting.participants.select_related("department") if p.department_id]
    return [meeting.convener, *users, *_department_officers(departments)]


def _local_date(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# scheduling
# ---------------------------------------------------------------------------------------------


def _carry_pending_into(meeting: Meeting) -> list[AgendaItem]:
    """Items deferred at an earlier meeting of the same series / node that no meeting has taken yet."""
    earlier = AgendaItem.objects.filter(decision=Decision.DEFERRED, carried_to__isnull=True,
                                        meeting__scheduled_at__lt=meeting.scheduled_at)
    if meeting.schedule_id:
        earlier = earlier.filter(meeting__schedule_id=meeting.schedule_id)
    else:
        earlier = earlier.filter(meeting__region=meeting.region, meeting__kind=meeting.kind)
    return [_carry(item, meeting, actor=None) for item in earlier.order_by("meeting__scheduled_at", "position", "pk")]


def _carry(item: AgendaItem, to: Meeting, *, actor: User | None) -> AgendaItem:
    position = (to.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    if item.case_id and to.items.filter(case_id=item.case_id).exists():
        existing = to.items.get(case_id=item.case_id)
        return existing
    new = AgendaItem.objects.create(meeting=to, position=position, title=item.title, case_id=item.case_id,
                                    topic_id=item.topic_id, carried_from=item, is_dispute=item.is_dispute)
    _record(to, MeetingEventType.ITEM_CARRIED, actor=actor, item=new,
            data={"from_meeting": item.meeting_id, "from_item": item.pk})
    return new


@transaction.atomic
def create_meeting(*, actor, kind: str, level: str, region: Region, scheduled_at: dt.datetime, place: str = "",
                   convener: User | None = None, title: str = "", schedule: MeetingSchedule | None = None) -> Meeting:
    """召集会议 — schedule a meeting at a territory node; items deferred by the previous meeting of
    the same series (or kind and node) are carried onto its agenda."""
    system = isinstance(actor, Actor) and not actor.is_staff
    user = None if system else _user(actor)
    if kind not in MeetingKind.values:
        raise InvalidInput(_("Unknown kind of meeting."), fields={"kind": "invalid"})
    if level not in MeetingLevel.values:
        raise InvalidInput(_("Unknown meeting level."), fields={"level": "invalid"})
    if region is None or region.level not in LEVEL_REGIONS[level]:
        raise InvalidInput(_("The territory does not match the meeting's level."), fields={"region": "invalid"})
    if user is not None and not selectors.may_convene(user, region):
        raise NotConvener(_("You may convene meetings only in your own territory."))
    convener = convener or user
    if convener is None or not convener.is_active:
        raise InvalidInput(_("Choose an active convener."), fields={"convener": "invalid"})
    if not selectors.may_convene(convener, region):
        raise InvalidInput(_("The convener must hold a convening role over this territory."),
                           fields={"convener": "not_convener"})
    if not isinstance(scheduled_at, dt.datetime):
        raise InvalidInput(_("Give the date and time of the meeting."), fields={"scheduled_at": "required"})
    place = _text(place, field="place", label=_("The place"), max_length=200)
    title = _text(title, field="title", label=_("The title"), max_length=120) or (
        f"{timezone.localtime(scheduled_at):%Y-%m-%d} {region.name}{office_text(MeetingKind(kind).label)}")
    meeting = Meeting.objects.create(
        title=title, kind=kind, level=level, region=region, community=_community_of(region), schedule=schedule,
        convener=convener, scheduled_at=scheduled_at, place=place, created_by=user,
    )
    Participant.objects.create(meeting=meeting, kind=ParticipantKind.STAFF, user=convener)
    _record(meeting, MeetingEventType.CREATED, actor=user,
            data={"scheduled_at": scheduled_at.isoformat(), "schedule": schedule.pk if schedule else None})
    _carry_pending_into(meeting)
    return meeting


@transaction.atomic
def add_participant(*, meeting: Meeting, actor, user: User | None = None, department: Department | None = None,
                    name: str = "", role: str = "", organisation: str = "", phone: str = "") -> Participant:
    """邀请参会 — a member of staff, a department, or a named outside representative (owners'
    committee, property company, party member, resident representative)."""
    actor = _user(actor)
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting)
    _require_status(meeting, MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED,
                    message=_("Participants can be added only before the meeting is closed."))
    given = [x for x in (user, department, (name or "").strip() or None) if x]
    if len(given) != 1:
        raise InvalidInput(_("Give exactly one: a member of staff, a department or a representative's name."),
                           fields={"name": "required"})
    if user is not None:
        kind = ParticipantKind.STAFF
        if meeting.participants.filter(user=user).exists():
            raise InvalidInput(_("Already invited."), fields={"user": "duplicate"})
    elif department is not None:
        kind = ParticipantKind.DEPARTMENT
        if not department.is_active:
            raise InvalidInput(_("That department is no longer active."), fields={"department": "inactive"})
        if meeting.participants.filter(department=department).exists():
            raise InvalidInput(_("Already invited."), fields={"department": "duplicate"})
    else:
        kind = ParticipantKind.REPRESENTATIVE
        if role not in RepresentativeRole.values:
            raise InvalidInput(_("Choose the representative's role."), fields={"role": "invalid"})
        phone = normalise_phone(phone)
        if phone and not re.fullmatch(r"\d{7,12}", phone):
            raise InvalidInput(_("That is not a phone number."), fields={"phone": "invalid"})
    participant = Participant.objects.create(
        meeting=meeting, kind=kind, user=user, department=department,
        name=_text(name, field="name", label=_("The representative's name"), max_length=50),
        role=role if kind == ParticipantKind.REPRESENTATIVE else "",
        organisation=_text(organisation, field="organisation", label=_("The organisation"), max_length=100),
        phone=phone if kind == ParticipantKind.REPRESENTATIVE else "",
    )
    _record(meeting, MeetingEventType.PARTICIPANT_ADDED, actor=actor,
            data={"participant": participant.pk, "kind": kind})
    return participant


# ---------------------------------------------------------------------------------------------
# topics and agenda
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def raise_topic(*, actor, region: Region, title: str, description: str = "", case=None,
                is_dispute: bool = False) -> Topic:
    """提出议题 — a resident or a member of staff raises a topic (need not be a case)."""
    actor = Actor.coerce(actor)
    if region is None or region.level not in (RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID):
        raise InvalidInput(_("Choose a sub-district, community or grid."), fields={"region": "invalid"})
    user = actor.user if actor.is_staff else None
    if actor.is_staff:
        from wangge.org.scope import Scope

        scope = Scope.of(user)
        if not (scope.everything or selectors._under(region, scope.all_regions())):
            raise Forbidden(_("You may raise topics only in your own territory."))
    if case is not None:
        if user is None or not case_selectors.cases_visible_to(user).filter(pk=case.pk).exists():
            raise InvalidInput(_("Unknown case."), fields={"case": "unknown"})
    topic = Topic.objects.create(
        region=region, title=_text(title, field="title", label=_("The title"), required=True, max_length=120),
        description=_text(description, field="description", label=_("The description"), max_length=2000),
        case=case, raised_by=user, raised_by_resident=actor.kind == "resident", is_dispute=bool(is_dispute),
    )
    return topic


@transaction.atomic
def vet_topic(*, topic: Topic, actor, accept: bool, note: str = "") -> Topic:
    """审核议题 — the convener (or the grid's party branch) accepts or rejects a topic."""
    actor = _user(actor)
    topic = Topic.objects.select_for_update().select_related("region").filter(pk=topic.pk).first()
    if topic is None or not selectors.topics_for(actor, topic.region).filter(pk=topic.pk).exists():
        raise MeetingNotFound(_("Topic not found."))
    if not selectors.may_convene(actor, topic.region):
        raise NotConvener()
    if topic.status != TopicStatus.PROPOSED:
        raise InvalidState(_("This topic has already been vetted."))
    note = _text(note, field="note", label=_("The vetting note"), required=not accept, max_length=300)
    topic.status = TopicStatus.ACCEPTED if accept else TopicStatus.REJECTED
    topic.vetted_by, topic.vetted_at, topic.vet_note = actor, timezone.now(), note
    topic.save(update_fields=["status", "vetted_by", "vetted_at", "vet_note"])
    return topic


@transaction.atomic
def add_agenda_item(*, meeting: Meeting, actor, case=None, topic: Topic | None = None, title: str = "",
                    is_dispute: bool = False) -> AgendaItem:
    """列入议程 — put a ledger case or a vetted topic on the agenda (before it is published)."""
    actor = _user(actor)
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting)
    _require_status(meeting, MeetingStatus.PLANNED, message=_("The agenda is published; it can no longer change."))
    if (case is None) == (topic is None):
        raise InvalidInput(_("Choose a case from the ledger or a vetted topic."), fields={"case": "required"})
    if topic is not None:
        topic = Topic.objects.select_for_update().filter(pk=topic.pk).first()
        if topic is None or not (topic.region.path.startswith(meeting.region.path)
                                 or meeting.region.path.startswith(topic.region.path)):
            raise InvalidInput(_("Unknown topic."), fields={"topic": "unknown"})
        if topic.status != TopicStatus.ACCEPTED:
            raise InvalidState(_("Only a vetted (accepted) topic can go on the agenda."))
        if meeting.items.filter(topic=topic).exists():
            raise InvalidInput(_("That topic is already on the agenda."), fields={"topic": "duplicate"})
        case = topic.case
        is_dispute = is_dispute or topic.is_dispute
    if case is not None:
        case = case_selectors.cases_visible_to(actor).filter(pk=case.pk).first()
        if case is None:
            raise InvalidInput(_("Unknown case."), fields={"case": "unknown"})
        if case.status not in OPEN_STATUSES:
            raise InvalidState(_("Only an open case can go on the agenda."))
        if meeting.items.filter(case=case).exists():
            raise InvalidInput(_("That case is already on the agenda."), fields={"case": "duplicate"})
    title = _text(title, field="title", label=_("The title"), max_length=120) or (topic.title if topic else case.title)
    position = (meeting.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, case=case, topic=topic,
                                     is_dispute=bool(is_dispute))
    _record(meeting, MeetingEventType.ITEM_ADDED, actor=actor, item=item,
            data={"case": case.number if case else None, "topic": topic.pk if topic else None})
    if case is not None:
        case_actions.record_on_timeline(case=case, type=TIMELINE_AGENDA, actor=actor, related=item,
                                        note=office_text(gettext_lazy("On the agenda of %(meeting)s"),
                                                         {"meeting": meeting.title}),
                                        data={"meeting": meeting.pk, "item": item.pk})
    return item


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem, actor) -> None:
    """撤出议程 — take an item off an agenda that is not yet published."""
    actor = _user(actor)
    meeting = _lock_meeting(item.meeting_id)
    _require_manager(actor, meeting)
    _require_status(meeting, MeetingStatus.PLANNED, message=_("The agenda is published; it can no longer change."))
    item = meeting.items.filter(pk=item.pk).first()
    if item is None:
        raise MeetingNotFound(_("Agenda item not found."))
    if item.carried_from_id:
        raise InvalidState(_("An item carried over from an earlier meeting stays on the agenda until decided."))
    _record(meeting, MeetingEventType.ITEM_REMOVED, actor=actor, data={"title": item.title, "case": item.case_id})
    item.delete()


@transaction.atomic
def propose_agenda(*, meeting: Meeting, actor) -> list[AgendaItem]:
    """按台账拟议程 — put every open ledger case and every accepted topic of the territory that is
    not on an agenda yet onto this meeting's agenda."""
    actor = _user(actor)
    meeting_row = _lock_meeting(meeting)
    _require_manager(actor, meeting_row)
    _require_status(meeting_row, MeetingStatus.PLANNED, message=_("The agenda is published; it can no longer change."))
    added = []
    pending = AgendaItem.objects.filter(decision="", meeting__status__in=[MeetingStatus.PLANNED,
                                                                          MeetingStatus.AGENDA_PUBLISHED])
    busy_cases = set(pending.exclude(case=None).values_list("case_id", flat=True))
    for case in selectors.ledger(actor, meeting_row.region):
        if case.pk not in busy_cases:
            added.append(add_agenda_item(meeting=meeting_row, actor=actor, case=case))
            busy_cases.add(case.pk)
    used_topics = set(AgendaItem.objects.exclude(topic=None).values_list("topic_id", flat=True))
    for topic in selectors.topics_for(actor, meeting_row.region, status=TopicStatus.ACCEPTED):
        if topic.pk not in used_topics and (topic.case_id is None or topic.case_id not in busy_cases):
            added.append(add_agenda_item(meeting=meeting_row, actor=actor, topic=topic))
    return added


@transaction.atomic
def publish_agenda(*, meeting: Meeting, actor) -> Meeting:
    """公布议程 — planned → agenda published; participants are told. A meeting that brings the
    departments to the table is refused while none is invited (``_require_departments``): the
    residents would be invited to a meeting that could not be held."""
    actor = _user(actor)
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting)
    _require_status(meeting, MeetingStatus.PLANNED, message=_("The agenda has already been published."))
    if not meeting.items.exists():
        raise InvalidState(_("Put at least one item on the agenda first."))
    _require_departments(meeting)
    meeting.status, meeting.agenda_published_at = MeetingStatus.AGENDA_PUBLISHED, timezone.now()
    meeting.save(update_fields=["status", "agenda_published_at"])
    _record(meeting, MeetingEventType.AGENDA_PUBLISHED, actor=actor, data={"items": meeting.items.count()})
    notify(recipients=_participant_users(meeting), kind=NOTIFICATION_KIND, subject=meeting,
           message=office_text(gettext_lazy("Agenda published: %(title)s, %(at)s %(place)s") if meeting.place
                               else gettext_lazy("Agenda published: %(title)s, %(at)s"), {
               "title": meeting.title, "at": _local_date(meeting.scheduled_at), "place": meeting.place}))
    return meeting


# ---------------------------------------------------------------------------------------------
# holding the meeting
# ---------------------------------------------------------------------------------------------


def _require_departments(meeting: Meeting) -> None:
    """A 双月协商会 is the departments the problems involve called to the table (S0: “将问题涉及
    部门召集到一起，开展‘双月协商会’，面对面的协商问题解决方案”; DESIGN §5: “with the departments
    involved”), a 部门会商 the departments fixing a lead: with no department invited neither has its
    agenda published (residents would be invited to a meeting that could not be held) nor is held —
    attendance, decisions, closing (a meeting published before publishing was refused)."""
    if message := departments_refusal(meeting):
        raise DepartmentsNotInvited(message)


# One whole sentence per kind of meeting that needs departments: the kind's label put into a
# sentence would read "A Bimonthly consultation is held…" in English (a label's capital).
DEPARTMENTS_REFUSAL = {
    MeetingKind.BIMONTHLY: gettext_lazy(
        "A bimonthly consultation is held with the departments the problems involve at the table, and no "
        "department is invited: its agenda cannot be published nor the meeting held. Invite them first."),
    MeetingKind.DEPARTMENT: gettext_lazy(
        "A department consultation is held with the departments the problems involve at the table, and no "
        "department is invited: its agenda cannot be published nor the meeting held. Invite them first."),
}


def departments_refusal(meeting: Meeting) -> str:
    """Why the meeting can be neither published nor held yet for want of a department ('' when it can)."""
    return departments_notice(meeting, DEPARTMENTS_REFUSAL)


def departments_notice(meeting: Meeting, sentences: dict) -> str:
    """The sentence for the meeting's kind (``sentences``: one per kind that needs departments) and
    the departments the agenda involves, while a meeting that needs departments has none invited;
    '' once one is."""
    missing = selectors.departments_missing(meeting)
    if missing is None:
        return ""
    text = str(sentences[meeting.kind])
    if missing["involved"]:
        involved = _("The agenda involves: %(names)s.") % {"names": "、".join(missing["involved"])}
        # Two sentences: side by side in Chinese, a space between them in English.
        text += ("" if (translation.get_language() or "").startswith("zh") else " ") + involved
    return text


def _lock_item(item: AgendaItem | int) -> tuple[Meeting, AgendaItem]:
    pk = item.pk if isinstance(item, AgendaItem) else item
    meeting_id = AgendaItem.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise MeetingNotFound(_("Agenda item not found."))
    meeting = _lock_meeting(meeting_id)  # meeting first, then its item: one order everywhere
    return meeting, AgendaItem.objects.select_for_update().get(pk=pk)


@transaction.atomic
def record_attendance(*, item: AgendaItem, actor, present: Sequence[Participant] = (),
                      departments: Sequence[Department] = ()) -> AgendaItem:
    """签到 — who came for this item, which departments reported in (报到)."""
    actor = _user(actor)
    meeting, item = _lock_item(item)
    _require_manager(actor, meeting)
    _require_status(meeting, MeetingStatus.AGENDA_PUBLISHED, message=_("Attendance is taken while the meeting is held."))
    _require_departments(meeting)
    present = list(present)
    if any(p.meeting_id != meeting.pk for p in present):
        raise InvalidInput(_("Only the meeting's participants can be marked present."), fields={"present": "invalid"})
    item.attendees.set(present)
    item.departments_reported.set(list(departments))
    _record(meeting, MeetingEventType.ATTENDANCE, actor=actor, item=item,
            data={"present": [p.pk for p in present], "departments": [d.pk for d in departments]})
    return item


def _available(user, case) -> list[str]:
    return case_selectors.available_actions(user, case)


def _apply_plan(item: AgendaItem, case, actor: User, lead: Department, co: list[Department], note: str):
    """Send the case to the agreed lead department (and co-handlers) through the core. Returns the
    case and, when it stays with another handler asked to return it, that handler's name."""
    if case.status not in OPEN_STATUSES:
        # Finished (or refused, merged) since it went on the agenda: nobody holds it to pass it on.
        raise InvalidState(_("This case is now %(status)s: a plan cannot send it to a department, and nothing "
                             "was recorded. Reopen the case first if the problem is back.")
                           % {"status": CaseStatus(case.status).label})
    target = case_actions.Target(department=lead)
    co_targets = [case_actions.Target(department=d) for d in co if d.pk != lead.pk]
    if case.status == CaseStatus.SUBMITTED:
        case = case_actions.accept_case(case=case, actor=actor, note=note)
    if case.status == CaseStatus.ACCEPTED:
        return case_actions.dispatch_case(case=case, actor=actor, lead=target, co_handlers=co_targets, note=note), ""
    if case.lead_department_id == lead.pk:
        return case, ""  # already with the agreed lead: the plan is recorded on the timeline
    if "redispatch" in _available(actor, case):
        return (case_actions.redispatch_case(case=case, actor=actor, lead=target, co_handlers=co_targets, note=note),
                "")
    # The case is with another handler, and the convener may not pass it on (转派): the meeting's
    # plan is recorded all the same, and the handler is asked to hand the case back (退单) so that
    # its dispatcher sends it to the agreed lead — the core's own route for a change of handler.
    holder, people = _case_holder(case)
    lead_assignment = case.lead_assignment()
    dispatcher = lead_assignment.assigned_by if lead_assignment is not None else None
    notify(recipients=[u for u in people if u.pk != actor.pk], kind=NOTIFICATION_KIND, subject=case,
           message=office_text(gettext_lazy("%(meeting)s agreed that %(lead)s leads case %(number)s: please return it "
                                            "(退单) so that it can be sent to %(lead)s."),
                               {"meeting": item.meeting.title, "lead": lead, "number": case.number}))
    if dispatcher is not None and dispatcher.pk != actor.pk and dispatcher not in people:
        notify(recipients=[dispatcher], kind=NOTIFICATION_KIND, subject=case,
               message=office_text(gettext_lazy("%(meeting)s agreed that %(lead)s leads case %(number)s: once "
                                                "%(holder)s returns it, please dispatch it to %(lead)s."),
                                   {"meeting": item.meeting.title, "lead": lead, "number": case.number,
                                    "holder": holder}))
    return case, holder or str(_("its handler"))


def _case_holder(case) -> tuple[str, list[User]]:
    """Who holds ``case`` now (its lead handler, by name) and the people behind it."""
    lead = case.lead_assignment()
    if lead is None:
        return "", []
    if lead.user_id:
        return str(lead.user), [lead.user]
    if lead.department_id:
        return str(lead.department), _department_officers([lead.department])
    people = User.objects.filter(roles__region_id=lead.region_id, roles__is_active=True, is_active=True).distinct()
    return str(lead.region), list(people)


def _file_plan(item: AgendaItem, meeting: Meeting, actor: User, *, lead: Department, co: list[Department],
               category, outcome: str, reason: str):
    """立案 — a topic's agreed plan becomes a case through the core (filed, accepted, dispatched to
    the agreed lead with its co-handlers), so that it is tracked like any: lights, the sweep,
    escalation. Steps the convener may not take are left to the sub-district's dispatchers."""
    topic = item.topic
    description = office_text(gettext_lazy("Plan agreed at %(meeting)s on the topic “%(title)s”: %(outcome)s"), {
        "meeting": meeting.title, "title": item.title, "outcome": outcome})
    if topic.description:
        description = f"{description}\n{topic.description}"
    case = case_actions.create_case(actor=actor, channel=CASE_CHANNEL, title=item.title, description=description[:5000],
                                    category=category, region=topic.region, related=item)
    if "accept" in _available(actor, case):
        case = case_actions.accept_case(case=case, actor=actor, note=reason)
    if "dispatch" in _available(actor, case):
        case = case_actions.dispatch_case(case=case, actor=actor, lead=case_actions.Target(department=lead),
                                          co_handlers=[case_actions.Target(department=d) for d in co
                                                       if d.pk != lead.pk], note=reason)
    if topic.case_id is None:
        topic.case = case
        topic.save(update_fields=["case"])
    return case


def _agree_deadline(case, actor: User, deadline: dt.date, reason: str):
    """The plan's deadline becomes the case's resolve deadline (议定时限, through the core): the end
    of that day in Asia/Shanghai. Left to the item alone when the convener may not set it."""
    due_at = timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 59)))
    if due_at <= timezone.now() or "agree_deadline" not in _available(actor, case):
        return case
    return case_actions.agree_deadline(case=case, actor=actor, due_at=due_at, reason=reason)


def _district_leaders(case) -> list[User]:
    district = case.district_id
    if not district:
        return []
    return list(User.objects.filter(roles__role=Role.LEADER, roles__region_id=district, roles__is_active=True,
                                    is_active=True).distinct())


def _tell_resident(item: AgendaItem, case, meeting: Meeting) -> None:
    """及时向居民反馈 — the resident who raised the case is told the plan and the time it needs."""
    reporter = getattr(case, "reporter", None)
    phone = normalise_phone((getattr(reporter, "phone", "") if reporter is not None else "") or case.reporter_phone)
    if not MOBILE.fullmatch(phone):
        return
    if item.decision == Decision.PLAN:
        days = (item.deadline - timezone.localtime(meeting.scheduled_at).date()).days
        when = office_text(gettext_lazy("by %(date)s (about %(days)d days)"),
                           {"date": item.deadline.isoformat(), "days": max(days, 0)})
    else:
        when = office_text(gettext_lazy("solved on the spot"))
    queue_message(channel="sms", to=phone, template=SMS_TEMPLATE, subject=case,
                  context={"number": case.number, "meeting": office_text(MeetingKind(meeting.kind).label),
                           "plan": item.outcome[:60], "when": when},
                  dedupe_key=f"meetings.item:{item.pk}:sms:{phone}")


@transaction.atomic
def decide_item(*, item: AgendaItem, actor, decision: str, outcome: str = "", notes: str = "",
                lead_department: Department | None = None, co_departments: Sequence[Department] = (),
                deadline: dt.date | None = None, resolve: bool = False, category=None) -> AgendaItem:
    """议定 — the meeting's decision on one item:

    - solved on the spot (就地解决): a public progress note on the case (and, with ``resolve`` and
      the right to, the case is resolved with the outcome as its answer; without that right the
      case's handler is asked to resolve it — ``item.effects`` says which happened);
    - a plan (议定方案) with a lead department, co-handlers and a deadline: the case is dispatched
      (or passed on) to them through the core — or, when the convener may not pass it on, its
      handler is asked to return it (退单) for the agreed lead; a topic's plan is filed as a case
      (under ``category``), dispatched to the lead with the agreed deadline, linked to the item;
    - deferred (暂缓): carried to the next meeting of the same series, or of the same kind and node;
    - not solvable here (无法解决): the case escalates through the core — from a bimonthly
      consultation a 2★ case becomes 3★ (S0); a department consultation that could not fix a
      lead department hands it up to the district leaders to dispatch (S3).
    """
    user = _user(actor)
    meeting, item = _lock_item(item)
    _require_manager(user, meeting)
    _require_status(meeting, MeetingStatus.AGENDA_PUBLISHED,
                    message=_("Decisions are taken while the meeting is held (after the agenda is published)."))
    _require_departments(meeting)
    if item.decision:
        raise InvalidState(_("This item has already been decided."))
    if decision not in Decision.values or decision == Decision.NONE:
        raise InvalidInput(_("Choose a decision."), fields={"decision": "invalid"})
    notes = _text(notes, field="notes", label=_("The discussion notes"), max_length=5000)
    # A deferral needs no outcome: the decision says it (the minutes would say it twice).
    outcome = _text(outcome, field="outcome", label=_("The outcome"), required=decision != Decision.DEFERRED,
                    max_length=1000)
    co = list(co_departments)
    if decision == Decision.PLAN:
        if lead_department is None:
            raise InvalidInput(_("Choose the lead department."), fields={"lead_department": "required"})
        if not lead_department.is_active or any(not d.is_active for d in co):
            raise InvalidInput(_("That department is no longer active."), fields={"lead_department": "inactive"})
        if not isinstance(deadline, dt.date):
            raise InvalidInput(_("Give the deadline of the plan."), fields={"deadline": "required"})
        if deadline < timezone.localtime(meeting.scheduled_at).date():
            raise InvalidInput(_("The deadline cannot be before the meeting."), fields={"deadline": "past"})
        if item.case_id is None and category is None:
            raise InvalidInput(_("Choose the category the plan is filed under as a case."),
                               fields={"category": "required"})
    else:
        lead_department, co, deadline = None, [], None

    now = timezone.now()
    item.decision, item.outcome, item.notes = decision, outcome, notes
    item.lead_department, item.deadline, item.decided_at, item.decided_by = lead_department, deadline, now, user
    case = case_selectors.case_by_id(item.case_id) if item.case_id else None
    # The case may have been resolved or closed since it went on the agenda: nobody is asked to
    # resolve it again, it is not escalated, and the convener is told it was already finished.
    finished = case is not None and case.status not in OPEN_STATUSES
    if finished and decision == Decision.UNSOLVABLE:
        raise InvalidState(_("This case is now %(status)s: it cannot be escalated, and nothing was recorded. "
                             "Reopen the case first if the problem is back.")
                           % {"status": CaseStatus(case.status).label})
    data = {"decision": decision, "deadline": deadline.isoformat() if deadline else None,
            "lead": lead_department.pk if lead_department else None}
    if finished:
        data["finished"] = case.status
    reason = office_text(gettext_lazy("%(meeting)s: %(outcome)s"), {"meeting": meeting.title,
                                                                    "outcome": outcome or Decision(decision).label})
    if case is None and decision == Decision.PLAN:
        case = _file_plan(item, meeting, user, lead=lead_department, co=co, category=category, outcome=outcome,
                          reason=reason)
        item.case = case
        data["filed"] = case.number
        case = _agree_deadline(case, user, deadline, reason)
    elif case is not None:
        if decision == Decision.SOLVED and finished:
            pass  # recorded on the item and the case's timeline below; the case stays as it is
        elif decision == Decision.SOLVED:
            available = _available(user, case)
            if "progress" in available:
                case = case_actions.add_progress_note(case=case, actor=user, note=reason, public=True)
            if resolve and "resolve" not in available and case.status == CaseStatus.DISPATCHED \
                    and "claim" in available:
                # The lead decides at the meeting that it is solved: it takes the case on (认领)
                # first — a case is resolved by the handler that claimed it.
                case = case_actions.claim_case(case=case, actor=user, note=reason)
                available = _available(user, case)
            if resolve and "resolve" in available:
                case = case_actions.resolve_case(case=case, actor=user, result=outcome)
            elif "resolve" not in available:
                # The meeting found it solved, but only the case's handler resolves (办结) it: the
                # handler is told; nobody is told it was resolved.
                holder, people = _case_holder(case)
                people = [u for u in people if u.pk != user.pk]
                data["holder"] = holder
                if people:
                    notify(recipients=people, kind=NOTIFICATION_KIND, subject=case,
                           message=office_text(gettext_lazy("%(meeting)s found case %(number)s solved on the spot "
                                                            "(%(outcome)s): please check and resolve it."),
                                               {"meeting": meeting.title, "number": case.number, "outcome": outcome}))
                    data["holder_told"] = True
            data["resolved"] = case.status not in OPEN_STATUSES
        elif decision == Decision.PLAN:
            case, asked = _apply_plan(item, case, user, lead_department, co, reason)
            case = _agree_deadline(case, user, deadline, reason)
            if asked:
                data["redispatch_asked"] = asked
        elif decision == Decision.UNSOLVABLE:
            if meeting.kind == MeetingKind.BIMONTHLY and case.star < StarLevel.THREE:
                # 会上无法解决的疑难问题，自动升为三星问题 (S0).
                case = case_actions.classify_case(case=case, actor=user, star=StarLevel.THREE, note=reason)
            case = case_actions.escalate_case(case=case, actor=user, reason=reason)
            item.escalated = True
            data["level"] = case.current_level
            data["star"] = case.star
            if meeting.kind == MeetingKind.DEPARTMENT:
                notify(recipients=_district_leaders(case), kind=NOTIFICATION_KIND, subject=meeting,
                       message=office_text(gettext_lazy("Department consultation could not fix the lead department "
                                                        "of case %(number)s: please dispatch it."),
                                           {"number": case.number}))
    if case is not None and decision == Decision.PLAN:
        data["deadline_agreed"] = case.resolve_due_at is not None and (
            timezone.localtime(case.resolve_due_at).date() == deadline)
        data["lead_holds"] = case.lead_department_id == lead_department.pk
    item.save(update_fields=["decision", "outcome", "notes", "lead_department", "deadline", "decided_at",
                             "decided_by", "escalated", "case"])
    item.co_departments.set(co)
    _record(meeting, MeetingEventType.ITEM_DECIDED, actor=user, item=item, note=outcome, data=data)
    if case is not None:
        case_actions.record_on_timeline(case=case, type=TIMELINE_DECISION, actor=user, related=item, public=True,
                                        note=outcome or office_text(Decision(decision).label),
                                        data={"meeting": meeting.pk, **data})
        if decision in (Decision.PLAN, Decision.SOLVED) and not finished:
            _tell_resident(item, case, meeting)
    if decision == Decision.PLAN:
        # The lead opens the case it now holds (its lights, its deadline); the meeting page while
        # the case is still with another handler.
        notify(recipients=_department_officers([lead_department, *co]), kind=NOTIFICATION_KIND,
               subject=case if case is not None and data.get("lead_holds") else meeting,
               message=office_text(gettext_lazy("%(meeting)s agreed a plan for you: %(title)s, due %(date)s"), {
                   "meeting": meeting.title, "title": item.title, "date": deadline.isoformat()}))
    item.effects = data
    if decision == Decision.DEFERRED:
        following = selectors.next_meeting_after(meeting)
        if following is not None and following.status == MeetingStatus.PLANNED:
            _carry(item, following, actor=user)
    return item


@transaction.atomic
def close_meeting(*, meeting: Meeting, actor) -> Minutes:
    """散会 — agenda published → held; refused while an item has no decision. Opens the draft minutes."""
    user = _user(actor)
    meeting = _lock_meeting(meeting)
    _require_manager(user, meeting)
    _require_status(meeting, MeetingStatus.AGENDA_PUBLISHED, message=_("Only a meeting in session can be closed."))
    _require_departments(meeting)
    undecided = meeting.items.filter(decision="").count()
    if undecided:
        raise InvalidState(_("%(n)d agenda item(s) have no decision yet; the meeting cannot be closed.")
                           % {"n": undecided})
    meeting.status, meeting.held_at = MeetingStatus.HELD, timezone.now()
    meeting.save(update_fields=["status", "held_at"])
    _record(meeting, MeetingEventType.HELD, actor=user)
    return Minutes.objects.create(meeting=meeting, kind=MinutesKind.MINUTES)


# ---------------------------------------------------------------------------------------------
# minutes
# ---------------------------------------------------------------------------------------------


def minutes_snapshot(meeting: Meeting) -> list[dict]:
    """The items and their decisions as the final minutes keep them (plain, JSON-able)."""
    rows = []
    for item in (meeting.items.select_related("case", "lead_department").prefetch_related("co_departments",
                                                                                         "departments_reported",
                                                                                         "attendees")):
        rows.append({
            "item": item.pk, "position": item.position, "title": item.title,
            "case": item.case.number if item.case_id else None,
            "decision": item.decision, "decision_label": office_text(Decision(item.decision).label),
            "outcome": item.outcome, "notes": item.notes,
            "lead_department": str(item.lead_department) if item.lead_department_id else "",
            "co_departments": [str(d) for d in item.co_departments.all()],
            "deadline": item.deadline.isoformat() if item.deadline else None,
            "present": [p.display_name for p in item.attendees.all()],
            "departments_reported": [str(d) for d in item.departments_reported.all()],
            "escalated": item.escalated, "is_dispute": item.is_dispute,
        })
    return rows


def _lock_minutes(minutes: Minutes) -> tuple[Meeting, Minutes]:
    meeting = _lock_meeting(minutes.meeting_id)
    return meeting, Minutes.objects.select_for_update().get(pk=minutes.pk)


@transaction.atomic
def propose_amendment(*, minutes: Minutes, actor, text: str) -> Amendment:
    """提出修改意见 — a participant (or the convener) proposes a change to the draft minutes."""
    user = _user(actor)
    meeting, minutes = _lock_minutes(minutes)
    if not selectors.meetings_visible_to(user).filter(pk=meeting.pk).exists():
        raise MeetingNotFound()
    if not (selectors.may_manage(user, meeting) or meeting.participants.filter(user=user).exists()
            or _is_department_participant(user, meeting)):
        raise Forbidden(_("Only participants may propose amendments."))
    if minutes.status != MinutesStatus.DRAFT:
        raise MinutesFinal()
    amendment = Amendment.objects.create(minutes=minutes, proposed_by=user,
                                         text=_text(text, field="text", label=_("The amendment"), required=True))
    _record(meeting, MeetingEventType.AMENDMENT_PROPOSED, actor=user, note=amendment.text,
            data={"amendment": amendment.pk})
    notify(recipients=[meeting.convener], kind=NOTIFICATION_KIND, subject=meeting,
           message=office_text(gettext_lazy("An amendment to the minutes of %(title)s was proposed."),
                               {"title": meeting.title}))
    return amendment


def _is_department_participant(user, meeting: Meeting) -> bool:
    from wangge.org.scope import Scope

    return meeting.participants.filter(department__in=sorted(Scope.of(user).departments)).exists()


@transaction.atomic
def decide_amendment(*, amendment: Amendment, actor, accept: bool) -> Amendment:
    """采纳 / 不采纳 — the convener takes an amendment into the draft summary, or not."""
    user = _user(actor)
    meeting, minutes = _lock_minutes(amendment.minutes)
    _require_manager(user, meeting)
    if minutes.status != MinutesStatus.DRAFT:
        raise MinutesFinal()
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise InvalidState(_("This amendment has already been decided."))
    amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    amendment.decided_by = user
    amendment.save(update_fields=["status", "decided_by"])
    if accept:
        minutes.summary = "\n".join(x for x in (minutes.summary, amendment.text) if x)
        minutes.save(update_fields=["summary"])
    _record(meeting, MeetingEventType.AMENDMENT_DECIDED, actor=user,
            data={"amendment": amendment.pk, "accepted": bool(accept)})
    return amendment


@transaction.atomic
def update_minutes_summary(*, minutes: Minutes, actor, summary: str) -> Minutes:
    """The convener edits the draft's summary text."""
    user = _user(actor)
    meeting, minutes = _lock_minutes(minutes)
    _require_manager(user, meeting)
    if minutes.status != MinutesStatus.DRAFT:
        raise MinutesFinal()
    minutes.summary = _text(summary, field="summary", label=_("The summary"), max_length=20000)
    minutes.save(update_fields=["summary"])
    return minutes


@transaction.atomic
def publish_minutes(*, minutes: Minutes, actor) -> Minutes:
    """签发纪要 — the convener signs the minutes off: draft → final (immutable from now on), the
    meeting's minutes are published, participants are told, the public page shows the outcomes."""
    user = _user(actor)
    meeting, minutes = _lock_minutes(minutes)
    if not selectors.meetings_visible_to(user).filter(pk=meeting.pk).exists():
        raise MeetingNotFound()
    if meeting.convener_id != user.pk and not getattr(user, "is_superuser", False):
        raise NotConvener(_("Only the convener signs the minutes off."))
    if minutes.status != MinutesStatus.DRAFT or minutes.kind != MinutesKind.MINUTES:
        raise MinutesFinal()
    if meeting.status != MeetingStatus.HELD:
        raise InvalidState(_("The minutes are published after the meeting is closed."))
    if minutes.amendments.filter(status=AmendmentStatus.PROPOSED).exists():
        raise InvalidState(_("Decide every proposed amendment first."))
    now = timezone.now()
    minutes.items = minutes_snapshot(meeting)
    minutes.status, minutes.signed_by, minutes.finalised_at = MinutesStatus.FINAL, user, now
    minutes.save(update_fields=["items", "status", "signed_by", "finalised_at"])
    meeting.status = MeetingStatus.MINUTES_PUBLISHED
    meeting.save(update_fields=["status"])
    _record(meeting, MeetingEventType.MINUTES_PUBLISHED, actor=user, data={"minutes": minutes.pk})
    notify(recipients=_participant_users(meeting), kind=NOTIFICATION_KIND, subject=meeting,
           message=office_text(gettext_lazy("Minutes published: %(title)s"), {"title": meeting.title}))
    return minutes


@transaction.atomic
def add_addendum(*, minutes: Minutes, actor, text: str) -> Minutes:
    """补充纪要 — a correction to final minutes: a new, final addendum linked to them."""
    user = _user(actor)
    meeting, minutes = _lock_minutes(minutes)
    _require_manager(user, meeting)
    if minutes.kind != MinutesKind.MINUTES or minutes.status != MinutesStatus.FINAL:
        raise InvalidState(_("An addendum corrects final minutes; edit the draft instead."))
    addendum = Minutes.objects.create(
        meeting=meeting, kind=MinutesKind.ADDENDUM, amends=minutes, status=MinutesStatus.FINAL,
        summary=_text(text, field="text", label=_("The addendum"), required=True, max_length=5000),
        signed_by=user, finalised_at=timezone.now(),
    )
    _record(meeting, MeetingEventType.ADDENDUM, actor=user, note=addendum.summary, data={"minutes": addendum.pk})
    return addendum


# ---------------------------------------------------------------------------------------------
# schedules (the periodic job)
# ---------------------------------------------------------------------------------------------


def following_date(schedule: MeetingSchedule, after: dt.date) -> dt.date:
    """The next meeting day of ``schedule`` after ``after``: its day of the month, one or two months on."""
    step = 2 if schedule.recurrence == Recurrence.EVERY_TWO_MONTHS else 1
    month = after.month - 1 + step
    return dt.date(after.year + month // 12, month % 12 + 1, schedule.day_of_month)


@transaction.atomic
def create_schedule(*, actor, name: str, kind: str, level: str, region: Region, recurrence: str,
                    first_date: dt.date, day_of_month: int | None = None, time_of_day: dt.time = dt.time(9, 30),
                    place: str = "", convener: User | None = None) -> MeetingSchedule:
    """例会 — "every two months" (双月协商会) or "mid-month every month" (每月中旬协商议事)."""
    user = _user(actor)
    if not selectors.may_convene(user, region):
        raise NotConvener(_("You may convene meetings only in your own territory."))
    if recurrence not in Recurrence.values:
        raise InvalidInput(_("Choose how often the meeting comes round."), fields={"recurrence": "invalid"})
    if kind not in MeetingKind.values or level not in MeetingLevel.values or region.level not in LEVEL_REGIONS[level]:
        raise InvalidInput(_("The territory does not match the meeting's level."), fields={"region": "invalid"})
    day = day_of_month or first_date.day
    if not 1 <= day <= 28:
        raise InvalidInput(_("The day of the month must be 1 to 28."), fields={"day_of_month": "invalid"})
    return MeetingSchedule.objects.create(
        name=_text(name, field="name", label=_("The schedule's name"), required=True, max_length=100), kind=kind, level=level,
        region=region, convener=convener or user, place=place, recurrence=recurrence, day_of_month=day,
        time_of_day=time_of_day, next_date=first_date,
    )


def create_due_meetings(*, now: dt.datetime | None = None) -> int:
    """The periodic job: for each active schedule whose next date is within its lead time, create
    that meeting (carrying deferred items), move the schedule on, and remind the convener.
    Safe when two runs overlap: each schedule row is locked and skipped if taken."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    made = 0
    for pk in MeetingSchedule.objects.filter(is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            schedule = (MeetingSchedule.objects.select_for_update(skip_locked=True)
                        .select_related("region", "convener").filter(pk=pk, is_active=True).first())
            if schedule is None or schedule.next_date - dt.timedelta(days=schedule.lead_days) > today:
                continue
            at = timezone.make_aware(dt.datetime.combine(schedule.next_date, schedule.time_of_day))
            meeting = create_meeting(actor=Actor.system(), kind=schedule.kind, level=schedule.level,
                                     region=schedule.region, scheduled_at=at, place=schedule.place,
                                     convener=schedule.convener, schedule=schedule)
            schedule.next_date = following_date(schedule, schedule.next_date)
            schedule.save(update_fields=["next_date"])
            notify(recipients=[schedule.convener], kind=NOTIFICATION_KIND, subject=meeting,
                   dedupe_key=f"meetings.created:{meeting.pk}",
                   message=office_text(gettext_lazy("%(title)s is scheduled for %(at)s: prepare the agenda from the "
                                                    "ledger."), {"title": meeting.title, "at": _local_date(at)}))
            made += 1
    remind_conveners(now=now)
    return made


def remind_conveners(*, now: dt.datetime) -> int:
    """The day before a meeting, its convener is reminded (once)."""
    soon = Meeting.objects.filter(status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED],
                                  scheduled_at__gt=now, scheduled_at__lte=now + dt.timedelta(days=1))
    sent = 0
    for meeting in soon.select_related("convener"):
        sent += notify(recipients=[meeting.convener], kind=NOTIFICATION_KIND, subject=meeting,
                       dedupe_key=f"meetings.remind:{meeting.pk}",
                       message=office_text(gettext_lazy("Reminder: %(title)s at %(at)s, %(place)s") if meeting.place
                                           else gettext_lazy("Reminder: %(title)s at %(at)s"), {
                           "title": meeting.title, "at": _local_date(meeting.scheduled_at), "place": meeting.place}))
    return sent
