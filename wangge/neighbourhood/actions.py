"""Writes of the neighbourhood app — one function per change (三长 · 三问 · 三联 · 三评).

Each action checks the actor's reach, locks the rows it changes (``select_for_update``, in a
fixed order), validates, writes the change and its record (``NeedEvent`` for needs) in one
transaction, and notifies inside it (the notification rows commit with the change) or publishes
a domain event (``events``) whose subscribers act after commit — a new need's chief is told so.
Refused: a ``DomainError`` and nothing written. Cases are changed only through ``wangge.cases.actions``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.actors import Actor
from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.core.http import row_id
from wangge.core.language import office_text
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment, User
from wangge.residents.masking import normalise_phone, valid_phone
from wangge.residents.models import Household, Resident

from . import events, selectors
from .choices import (
    CHIEF_LEVEL,
    NEED_PENDING,
    TIER_CHIEF,
    AwardTarget,
    ChiefKind,
    CompoundType,
    FixedAnswer,
    NeedLevel,
    NeedScope,
    NeedSource,
    NeedStatus,
    PeriodStatus,
    ResourceTier,
    SelectionMethod,
)
from .models import (
    Award,
    Chief,
    ChiefEvaluation,
    FollowUp,
    Need,
    NeedClass,
    NeedEvent,
    NeedHousehold,
    PublishedScore,
    Questionnaire,
    Rating,
    RatingPeriod,
    Resource,
    ResourceContactView,
    SentimentEntry,
    ServiceRecord,
)
from .wiring import CHANNEL

CHIEF_GROUP = "neighbourhood_chief"
# The order a kind of chief ranks in (a grid chief may use every tier, a unit chief only its own).
_KIND_RANK = {ChiefKind.UNIT: 0, ChiefKind.BUILDING: 1, ChiefKind.GRID: 2}
_TIER_RANK = {ResourceTier.CONVENIENCE: 0, ResourceTier.CIVIC: 1, ResourceTier.SOCIAL: 2}


class AlreadyRated(InvalidState):
    default_message = gettext_lazy("This household has already rated this service.")


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    value = " ".join(str(value or "").split()) if max_length <= 200 else str(value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), fields={field: "required"})
    if len(value) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, fields={field: "too_long"})
    return value


def _user_of(actor) -> User | None:
    if isinstance(actor, Actor):
        return actor.user
    return actor


def _community_of(region: Region) -> Region:
    community = region.ancestor_at(RegionLevel.COMMUNITY)
    if community is None:
        raise InvalidInput(_("That place is not inside a community."), fields={"region": "no_community"})
    return community


def _log(need: Need, type_: str, actor, note: str = "", **data) -> NeedEvent:
    return NeedEvent.objects.create(need=need, type=type_, actor=_user_of(actor), note=note[:500], data=data)


def _lock_need(need: Need) -> Need:
    return Need.objects.select_for_update().get(pk=need.pk)


def _choice(value, choices, field: str):
    if value not in choices.values:
        raise InvalidInput(_("Choose one of the listed values."), fields={field: "invalid"})
    return value


# ---------------------------------------------------------------------------------------------
# 三长 — the three chiefs
# ---------------------------------------------------------------------------------------------


def _limited_account(resident: Resident, name: str) -> User:
    """A volunteer chief's account: no staff role, no password until a login link is used; in
    the ``neighbourhood_chief`` group. Reused when the resident already had one."""
    earlier = Chief.objects.filter(resident=resident).select_related("user").first()
    if earlier is not None:
        return earlier.user
    user = User.objects.create_user(username=f"chief-{resident.pk}-{secrets.token_hex(3)}", password=None,
                                    display_name=name[:50])
    group, _created = Group.objects.get_or_create(name=CHIEF_GROUP)
    user.groups.add(group)
    return user


@transaction.atomic
def appoint_chief(*, actor: User, region: Region, selection_method: str, term_start: dt.date,
                  user: User | None = None, resident: Resident | None = None, name: str = "",
                  is_party_member: bool = False, compound_type: str = "", term_end: dt.date | None = None,
                  selection_note: str = "") -> Chief:
    """选配三长 — appoint the chief of a grid, building or unit: a member of staff (``user``) or a
    volunteer resident (``resident``, who gets a limited account)."""
    if region is None or region.level not in CHIEF_LEVEL.values():
        raise InvalidInput(_("A chief is appointed to a grid, a building or a unit."), fields={"region": "level"})
    region = Region.objects.select_for_update().get(pk=region.pk)  # one appointment at a time per place
    if not region.is_active:
        raise InvalidInput(_("That place is no longer in use."), fields={"region": "inactive"})
    if not selectors.may_manage(actor, region):
        raise Forbidden(_("You may not appoint chiefs there."))
    community = _community_of(region)
    _choice(selection_method, SelectionMethod, "selection_method")
    if compound_type:
        _choice(compound_type, CompoundType, "compound_type")
    if (user is None) == (resident is None):
        raise InvalidInput(_("Choose either a staff member or a resident."), fields={"person": "one"})
    if term_end is not None and term_end < term_start:
        raise InvalidInput(_("The term cannot end before it starts."), fields={"term_end": "before_start"})
    if Chief.objects.filter(region=region, ended_at__isnull=True).exists():
        raise InvalidState(_("This place already has a serving chief; end that term first."),
                           fields={"region": "taken"})
    if resident is not None:
        if resident.anonymised_at or resident.merged_into_id:
            raise InvalidInput(_("That resident record is no longer in use."), fields={"resident": "gone"})
        name = _text(name or resident.name, field="name", max_length=50)
        user = _limited_account(resident, name)
    else:
        name = _text(name or user.display_name or user.get_username(), field="name", max_length=50)
    chief = Chief.objects.create(
        kind=selectors.chief_kind_for(region), region=region, community=community, user=user, resident=resident,
        name=name, is_party_member=bool(is_party_member), selection_method=selection_method,
        compound_type=compound_type or "", selection_note=_text(selection_note, field="selection_note",
                                                                max_length=200, required=False),
        term_start=term_start, term_end=term_end, appointed_by=actor,
    )
    return chief


@transaction.atomic
def end_chief_term(*, actor: User, chief: Chief, reason: str) -> Chief:
    """卸任 — end a chief's term (the place may then get a new chief)."""
    chief = Chief.objects.select_for_update().get(pk=chief.pk)
    if not selectors.may_manage(actor, chief.region):
        raise NotFound()
    if chief.ended_at is not None:
        raise InvalidState(_("This chief's term has already ended."))
    chief.ended_at = timezone.now()
    chief.end_reason = _text(reason, field="reason", max_length=200)
    chief.save(update_fields=["ended_at", "end_reason"])
    return chief


def issue_login_link(*, actor: User, chief: Chief) -> str:
    """登录链接 — a one-time sign-in link for a volunteer chief's limited account (the path of
    ``/nb/enter/<uid>/<token>/``; valid ``PASSWORD_RESET_TIMEOUT``, spent by signing in). Never for
    a staff account: staff sign in with their password (and its lockout)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not selectors.may_manage(actor, chief.region):
        raise NotFound()
    if not chief.is_serving:
        raise InvalidState(_("That chief's term has ended."))
    if chief.resident_id is None or not is_limited_account(chief.user):
        raise InvalidState(_("Staff members sign in with their own password."))
    uid = urlsafe_base64_encode(force_bytes(chief.user.pk))
    return reverse("neighbourhood:enter", args=[uid, default_token_generator.make_token(chief.user)])


def is_limited_account(user: User) -> bool:
    """A volunteer chief's account: in the chiefs' group, no staff role, no admin rights."""
    return (user.groups.filter(name=CHIEF_GROUP).exists() and not user.is_staff and not user.is_superuser
            and not RoleAssignment.objects.filter(user=user).exists())


# ---------------------------------------------------------------------------------------------
# 三问 — needs
# ---------------------------------------------------------------------------------------------


def _need_class(need_class) -> NeedClass:
    if not isinstance(need_class, NeedClass):
        pk = row_id(need_class)
        need_class = NeedClass.objects.filter(pk=pk).first() if pk else \
            NeedClass.objects.filter(code=str(need_class or "")[:32]).first()
    if need_class is None or not need_class.is_active:
        raise InvalidInput(_("Choose a class of need."), fields={"need_class": "invalid"})
    return need_class


def _new_need(*, actor, need_class, description: str, source: str, region: Region, household=None,
              resident=None, chief=None, questionnaire=None, meeting_ref: str = "", sentiment_entry=None,
              scope: str = NeedScope.INDIVIDUAL) -> Need:
    need = Need.objects.create(
        need_class=_need_class(need_class), description=_text(description, field="description", max_length=2000),
        source=source, scope=scope, region=region, community=_community_of(region), resident=resident,
        chief=chief, questionnaire=questionnaire, meeting_ref=meeting_ref, sentiment_entry=sentiment_entry,
        raised_by=_user_of(actor), household_count=1 if household else 0,
    )
    if household is not None:
        NeedHousehold.objects.create(need=need, household=household)
    _log(need, "raised", actor, data_source=source)
    events.need_raised(need, actor=actor)  # its chief is told after commit (receivers)
    return need


def _chief_for(actor: User, chief: Chief | None, region: Region) -> Chief | None:
    """The chief a need or service goes through: the one given (it must be the actor's own, or
    the actor must manage its place), else the actor's own post over ``region``."""
    if chief is not None:
        if not chief.is_serving:
            raise InvalidState(_("That chief's term has ended."), fields={"chief": "ended"})
        if chief.user_id != actor.pk and not selectors.may_manage(actor, chief.region):
            raise Forbidden(_("You may act only as your own chief post."))
        return chief
    own = [c for c in selectors.serving_chiefs(actor) if region.path.startswith(c.region.path)]
    return own[0] if own else None


def _check_place(actor: User, region: Region) -> None:
    if region is None:
        raise InvalidInput(_("Choose the place."), fields={"region": "required"})
    if region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT):
        raise InvalidInput(_("Choose a community, grid, building or unit."), fields={"region": "level"})
    if not selectors.may_work(actor, region):
        raise NotFound()


@transaction.atomic
def raise_need(*, actor: User, need_class, description: str, source: str, region: Region,
               household: Household | None = None, chief: Chief | None = None, meeting_ref: str = "",
               scope: str = NeedScope.INDIVIDUAL) -> Need:
    """记录需求 — a need a chief or a member of staff raises (at the door, from a consultation
    meeting — ``meeting_ref`` names it — or on a resident's behalf)."""
    _choice(source, NeedSource, "source")
    _choice(scope, NeedScope, "scope")
    _check_place(actor, region)
    if source == NeedSource.CONSULTATION and not meeting_ref:
        raise InvalidInput(_("Name the meeting the need came from."), fields={"meeting_ref": "required"})
    if household is not None and (household.unit is None or not household.unit.path.startswith(region.path)):
        raise InvalidInput(_("That household is not at this place."), fields={"household": "elsewhere"})
    chief = _chief_for(actor, chief, region)
    resident = Resident.objects.filter(household=household, merged_into__isnull=True).first() if household else None
    return _new_need(actor=actor, need_class=need_class, description=description, source=source, region=region,
                     household=household, resident=resident, chief=chief,
                     meeting_ref=_text(meeting_ref, field="meeting_ref", max_length=100, required=False),
                     scope=scope)


@transaction.atomic
def record_visit(*, actor: User, chief: Chief, note: str, region: Region | None = None,
                 household: Household | None = None, visited_at: dt.datetime | None = None,
                 need_class=None, need_description: str = "") -> SentimentEntry:
    """入户问 — a line in the chief's sentiment diary (社情民意日志); a need heard at the door is
    raised with it (source door-to-door)."""
    chief = Chief.objects.select_related("region").get(pk=chief.pk)
    if chief.user_id != actor.pk and not selectors.may_manage(actor, chief.region):
        raise NotFound()
    if not chief.is_serving:
        raise InvalidState(_("That chief's term has ended."))
    region = region or (household.unit if household is not None and household.unit else chief.region)
    if not region.path.startswith(chief.region.path):
        raise NotFound()
    if household is not None and (household.unit is None or not household.unit.path.startswith(chief.region.path)):
        raise NotFound()
    now = timezone.now()
    if visited_at is not None and visited_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The visit cannot be in the future."), fields={"visited_at": "future"})
    entry = SentimentEntry.objects.create(chief=chief, region=region, household=household,
                                          visited_at=visited_at or now,
                                          note=_text(note, field="note", max_length=2000))
    if need_class or need_description:
        resident = Resident.objects.filter(household=household, merged_into__isnull=True).first() if household else None
        _new_need(actor=actor, need_class=need_class, description=need_description, source=NeedSource.DOOR,
                  region=region, household=household, resident=resident, chief=chief, sentiment_entry=entry)
    return entry


@transaction.atomic
def publish_questionnaire(*, actor: User, community: Region, title: str, question: str) -> Questionnaire:
    """线上问 — a questionnaire or a monthly theme for a community's residents."""
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise InvalidInput(_("Choose a community."), fields={"community": "level"})
    if not selectors.may_manage(actor, community):
        raise Forbidden(_("You may not publish questionnaires for that community."))
    return Questionnaire.objects.create(community=community, title=_text(title, field="title", max_length=100),
                                        question=_text(question, field="question", max_length=1000),
                                        created_by=actor)


@transaction.atomic
def close_questionnaire(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not selectors.may_manage(actor, questionnaire.community):
        raise NotFound()
    if not questionnaire.is_open:
        raise InvalidState(_("The questionnaire is already closed."))
    questionnaire.is_open = False
    questionnaire.save(update_fields=["is_open"])
    return questionnaire


@transaction.atomic
def answer_questionnaire(*, questionnaire: Questionnaire, need_class, description: str,
                         unit: Region | None = None, room: str = "", name: str = "", phone: str = "") -> Need:
    """线上问 — a resident's answer on the public phone page: a need (source online) at their
    unit (or the community when they do not say), with their household when they give a room."""
    from wangge.residents.services import resident_for_report

    questionnaire = Questionnaire.objects.select_related("community").get(pk=questionnaire.pk)
    if not questionnaire.is_open:
        raise InvalidState(_("This questionnaire is closed."))
    region = questionnaire.community
    if unit is not None:
        if unit.level not in (RegionLevel.BUILDING, RegionLevel.UNIT) or not unit.path.startswith(region.path) \
                or not unit.is_active:
            raise InvalidInput(_("Choose a building or unit of this community."), fields={"unit": "invalid"})
        region = unit
    room = _text(room, field="room", max_length=40, required=False)
    name = _text(name, field="name", max_length=50, required=False)
    if phone and not valid_phone(phone):
        raise InvalidInput(_("The phone number is not valid."), fields={"phone": "invalid"})
    household = None
    if unit is not None and unit.level == RegionLevel.UNIT and room:
        household = Household.objects.filter(unit=unit, room=room).order_by("pk").first() or \
            Household.objects.create(unit=unit, room=room)
    resident = resident_for_report(name=name, phone=phone, anonymous=False) if phone else None
    chief = Chief.objects.filter(region=region, ended_at__isnull=True).first() if unit is not None else None
    return _new_need(actor=Actor.of_resident(resident), need_class=need_class, description=description,
                     source=NeedSource.ONLINE, region=region, household=household, resident=resident,
                     chief=chief, questionnaire=questionnaire)


def _recount(need: Need) -> None:
    need.household_count = NeedHousehold.objects.filter(need=need).values("household").distinct().count()


@transaction.atomic
def merge_needs(*, actor: User, target: Need, others: list[Need], note: str = "") -> Need:
    """合并 — merge similar needs into ``target``: one common need (共性) counting its households
    distinctly; the others are kept, marked merged, pointing at it."""
    ids = sorted({target.pk, *[n.pk for n in others]})
    if len(ids) < 2:
        raise InvalidInput(_("Choose at least one other need to merge."), fields={"others": "required"})
    locked = {n.pk: n for n in Need.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    target = locked[target.pk]
    others = [locked[pk] for pk in ids if pk != target.pk]
    for need in [target, *others]:
        if not selectors.may_manage(actor, need.community) and not selectors.reaches(actor, need.region):
            raise NotFound()
        if need.status not in NEED_PENDING:
            raise InvalidState(_("Only open needs can be merged (%(ref)s is not).") % {"ref": need.reference})
        if need.community_id != target.community_id:
            raise InvalidInput(_("Needs of different communities cannot be merged."), fields={"others": "community"})
    have = set(NeedHousehold.objects.filter(need=target).values_list("household_id", flat=True))
    for other in others:
        for link in NeedHousehold.objects.filter(need=other).exclude(household_id__in=have):
            NeedHousehold.objects.create(need=target, household_id=link.household_id)
            have.add(link.household_id)
        other.status, other.merged_into = NeedStatus.MERGED, target
        other.save(update_fields=["status", "merged_into"])
        _log(other, "merged", actor, note, into=target.pk)
    _recount(target)
    target.scope = NeedScope.COMMON
    if target.region_id != others[0].region_id:
        # Several places: the need is held where they meet (their lowest common node).
        paths = [target.region.path, *[o.region.path for o in others]]
        common = 0
        while all(len(p) > common and p[common] == paths[0][common] for p in paths):
            common += 1
        common -= common % Region.steplen
        node = Region.objects.filter(path=paths[0][:common]).first()
        if node is not None and node.depth >= target.community.depth:
            target.region = node
    target.save(update_fields=["household_count", "scope", "region"])
    _log(target, "merged_in", actor, note, needs=[o.pk for o in others], households=target.household_count)
    return target


def _reach_need(actor: User, need: Need) -> None:
    if not (selectors.reaches(actor, need.region) or selectors.may_manage(actor, need.community)):
        raise NotFound()


def may_link(chief: Chief, resource: Resource) -> bool:
    """A chief links resources of their own tier and below (S4: unit chiefs the convenience shops,
    building chiefs also the civic groups, grid chiefs also social and public services)."""
    return _TIER_RANK[resource.tier] <= _KIND_RANK[chief.kind]


@transaction.atomic
def match_need(*, actor: User, need: Need, resource: Resource, note: str = "") -> Need:
    """匹配资源 — answer ``need`` with a resource of the library (a proposal of the matcher)."""
    need = _lock_need(need)
    _reach_need(actor, need)
    if need.status not in NEED_PENDING:
        raise InvalidState(_("This need is no longer open."))
    if not resource.is_active:
        raise InvalidInput(_("That resource is no longer active."), fields={"resource": "inactive"})
    if not resource.classes.filter(pk=need.need_class_id).exists():
        raise InvalidInput(_("That resource does not serve this class of need."), fields={"resource": "class"})
    if not selectors.resources_visible_to(actor).filter(pk=resource.pk).exists():
        raise NotFound()
    need.status, need.resource = NeedStatus.MATCHED, resource
    need.save(update_fields=["status", "resource"])
    _log(need, "matched", actor, note, resource=resource.pk)
    return need


@transaction.atomic
def record_service(*, actor: User, resource: Resource, description: str, chief: Chief | None = None,
                   need: Need | None = None, household: Household | None = None,
                   served_at: dt.datetime | None = None) -> ServiceRecord:
    """服务记录 — the chief records a service delivered: to which household, what, when, by which
    resource. Recorded against a need, it answers the need (served)."""
    if need is not None:
        need = _lock_need(need)
        _reach_need(actor, need)
        if need.status not in NEED_PENDING:
            raise InvalidState(_("This need is no longer open."))
        if household is None:
            links = list(NeedHousehold.objects.filter(need=need).values_list("household_id", flat=True)[:2])
            if len(links) == 1:
                household = Household.objects.get(pk=links[0])
    if household is None:
        raise InvalidInput(_("Choose the household served."), fields={"household": "required"})
    if household.unit is None:
        raise InvalidInput(_("That household has no unit on record."), fields={"household": "no_unit"})
    region = household.unit
    if not selectors.may_work(actor, region):
        raise NotFound()
    chief = _chief_for(actor, chief, region)
    if chief is None:
        raise InvalidInput(_("A service is recorded through a chief."), fields={"chief": "required"})
    if not region.path.startswith(chief.region.path):
        raise InvalidInput(_("That household is outside the chief's place."), fields={"household": "elsewhere"})
    if not resource.is_active:
        raise InvalidInput(_("That resource is no longer active."), fields={"resource": "inactive"})
    if not may_link(chief, resource):
        raise Forbidden(_("A %(kind)s links %(tier)s resources only; ask the chief above.")
                        % {"kind": chief.get_kind_display(), "tier": ResourceTier(_tier_of(chief)).label})
    now = timezone.now()
    if served_at is not None and served_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The service cannot be in the future."), fields={"served_at": "future"})
    need_class = need.need_class if need is not None else resource.classes.order_by("order", "pk").first()
    if need_class is None:
        raise InvalidInput(_("That resource serves no class of need."), fields={"resource": "no_class"})
    service = ServiceRecord.objects.create(
        need=need, resource=resource, chief=chief, household=household,
        resident=selectors.resident_served(need, household),
        description=_text(description, field="description", max_length=500), served_at=served_at or now,
        tier=resource.tier, need_class=need_class, region=region, community=chief.community,
        recorded_by=actor,
    )
    if need is not None:
        need.status, need.resource, need.met_at = NeedStatus.SERVED, resource, now
        need.save(update_fields=["status", "resource", "met_at"])
        _log(need, "served", actor, service.description, service=service.pk)
    if service.resident is not None and service.resident.phone:
        from .signing import rate_token

        _text_resident(service.resident.phone, "neighbourhood_rate", subject=service,
                       path=reverse("neighbourhood:rate", args=[rate_token(service.pk, household.pk)]),
                       dedupe_key=f"nb-rate:{service.pk}:{household.pk}",
                       context={"what": service.description[:40], "resource": resource.name,
                                "chief": chief.get_kind_display()})
    return service


def _text_resident(phone: str, template: str, *, subject, path: str, dedupe_key: str, context: dict) -> None:
    """An SMS with a link to the resident, through the outbox (written in this transaction,
    delivered after commit; nothing is sent when an admin switched the template off)."""
    from django.conf import settings

    from wangge.notifications.outbox import queue_message

    base = str(getattr(settings, "WANGGE_PUBLIC_BASE_URL", "")).rstrip("/")
    queue_message(channel="sms", to=phone, template=template, subject=subject, dedupe_key=dedupe_key,
                  context={**context, "link": base + path})


def _tier_of(chief: Chief) -> str:
    return {ChiefKind.UNIT: ResourceTier.CONVENIENCE, ChiefKind.BUILDING: ResourceTier.CIVIC,
            ChiefKind.GRID: ResourceTier.SOCIAL}[chief.kind]


@transaction.atomic
def need_to_case(*, actor: User, need: Need, title: str = "", note: str = "") -> Need:
    """转为案件 — a need that is really a complaint becomes a case (filed through the case desk's
    ``create_case`` on the “neighbourhood chiefs” channel); the need keeps the case and the case
    page shows the need. Filing twice files one case (idempotent on the need)."""
    from wangge.cases import actions as case_actions
    from wangge.org.scope import can_file_cases

    need = _lock_need(need)
    _reach_need(actor, need)
    if need.status not in NEED_PENDING:
        raise InvalidState(_("This need is no longer open."))
    # Staff who may file cases file as themselves; a volunteer chief files through the channel.
    filer = actor if can_file_cases(actor) else Actor.of_integration(f"{CHANNEL}:{actor.pk}")
    resident = need.resident
    case = case_actions.create_case(
        actor=filer, channel=CHANNEL, description=need.description, title=_text(title, field="title", max_length=120,
                                                                                 required=False),
        region=need.region, reporter_name=resident.name if resident else "",
        reporter_phone=resident.phone if resident and resident.phone else "",
        source=CHANNEL, external_id=f"need:{need.pk}",
    )
    need.status, need.case_id, need.case_number = NeedStatus.CASE, case.pk, case.number
    need.save(update_fields=["status", "case_id", "case_number"])
    _log(need, "case", actor, note, case=case.number)
    return need


def _recipients(role: str, region: Region) -> list[User]:
    return [a.user for a in RoleAssignment.objects.filter(role=role, region=region, is_active=True,
                                                          user__is_active=True).select_related("user")]


@transaction.atomic
def escalate_need(*, actor: User, need: Need, note: str) -> Need:
    """上报 — a need the chiefs cannot meet goes to the community; one the community cannot meet
    goes to the sub-district (S4). Each step notifies who takes it on."""
    from wangge.notifications.services import notify

    need = _lock_need(need)
    _reach_need(actor, need)
    note = _text(note, field="note", max_length=500)
    if need.status not in NEED_PENDING:
        raise InvalidState(_("This need is no longer open."))
    if need.level == NeedLevel.CHIEFS:
        need.level = NeedLevel.COMMUNITY
        recipients = _recipients(Role.COMMUNITY_SECRETARY, need.community)
        message = gettext_lazy("Need %(ref)s escalated to the community: %(text)s")
    elif need.level == NeedLevel.COMMUNITY:
        if not selectors.may_manage(actor, need.community):
            raise Forbidden(_("Only the community escalates a need to the sub-district."))
        need.level = NeedLevel.SUBDISTRICT
        subdistrict = need.community.ancestor_at(RegionLevel.SUBDISTRICT)
        recipients = _recipients(Role.LEADER, subdistrict) if subdistrict else []
        message = gettext_lazy("Need %(ref)s escalated to the sub-district: %(text)s")
    else:
        raise InvalidState(_("This need is already with the sub-district."))
    need.escalated_at = timezone.now()
    need.save(update_fields=["level", "escalated_at"])
    _log(need, "escalated", actor, note, level=need.level)
    notify(recipients=recipients, kind="need_escalated", subject=need,
           message=office_text(message, {"ref": need.reference, "text": need.description[:60]}),
           dedupe_key=f"nb-need-escalated:{need.pk}:{need.level}")
    return need


@transaction.atomic
def close_need(*, actor: User, need: Need, note: str) -> Need:
    """结束 — close a need without a service (met otherwise, or withdrawn), with the reason."""
    need = _lock_need(need)
    _reach_need(actor, need)
    note = _text(note, field="note", max_length=500)
    if need.status not in NEED_PENDING:
        raise InvalidState(_("This need is no longer open."))
    need.status, need.met_at = NeedStatus.CLOSED, timezone.now()
    need.save(update_fields=["status", "met_at"])
    _log(need, "closed", actor, note)
    return need


# ---------------------------------------------------------------------------------------------
# 三联 — the service-resource library
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_resource(*, actor: User, name: str, provider: str, tier: str, classes, area: Region,
                    contact_name: str = "", contact_phone: str = "", capacity: int = 0, hours: str = "",
                    address: str = "", longitude: float | None = None, latitude: float | None = None,
                    linked_by: Chief | None = None, offers: str = "") -> Resource:
    """入库 — add a resource to the library (a manager of its area, or the chief who links it)."""
    _choice(tier, ResourceTier, "tier")
    if area is None or area.level in (RegionLevel.CITY,):
        raise InvalidInput(_("Choose the service area."), fields={"area": "required"})
    if linked_by is not None:
        if linked_by.user_id != actor.pk and not selectors.may_manage(actor, linked_by.region):
            raise Forbidden(_("You may link resources only as your own chief post."))
        if not linked_by.is_serving:
            raise InvalidState(_("That chief's term has ended."))
        if TIER_CHIEF[tier] != linked_by.kind:
            raise InvalidInput(_("A %(kind)s links %(tier)s resources.") % {
                "kind": linked_by.get_kind_display(), "tier": ResourceTier(_tier_of(linked_by)).label},
                fields={"tier": "wrong_chief"})
    elif not selectors.may_manage(actor, area) and not (
            area.level != RegionLevel.CITY and any(selectors.may_manage(actor, c) for c in _communities_in(area))):
        raise Forbidden(_("You may not add resources for that area."))
    fields, classes = _resource_fields(
        name=name, provider=provider, classes=classes, contact_name=contact_name, contact_phone=contact_phone,
        capacity=capacity, hours=hours, address=address, longitude=longitude, latitude=latitude, offers=offers)
    resource = Resource.objects.create(tier=tier, area=area, linked_by=linked_by, created_by=actor, **fields)
    resource.classes.set(classes)
    return resource


def _resource_fields(*, name, provider, classes, contact_name, contact_phone, capacity, hours, address,
                     longitude, latitude, offers) -> tuple[dict, list]:
    """A resource's own fields, checked (nothing written): (fields, service classes)."""
    classes = [_need_class(c) for c in (classes or [])]
    if not classes:
        raise InvalidInput(_("Choose at least one service class."), fields={"classes": "required"})
    contact_phone = normalise_phone(contact_phone)  # stored as digits, however typed
    if contact_phone and not valid_phone(contact_phone):
        raise InvalidInput(_("The phone number is not valid."), fields={"contact_phone": "invalid"})
    if (longitude is None) != (latitude is None):
        raise InvalidInput(_("Give both longitude and latitude."), fields={"longitude": "incomplete"})
    if longitude is not None and not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise InvalidInput(_("The coordinates are not valid."), fields={"longitude": "invalid"})
    try:
        capacity = int(capacity or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("Capacity is a whole number."), fields={"capacity": "invalid"}) from None
    if not 0 <= capacity <= 1_000_000:
        raise InvalidInput(_("Capacity is a whole number."), fields={"capacity": "invalid"})
    return {
        "name": _text(name, field="name", max_length=100), "provider": _text(provider, field="provider", max_length=100),
        "contact_name": _text(contact_name, field="contact_name", max_length=50, required=False),
        "contact_phone": contact_phone, "capacity": capacity,
        "hours": _text(hours, field="hours", max_length=100, required=False),
        "address": _text(address, field="address", max_length=200, required=False),
        "longitude": longitude, "latitude": latitude,
        # Kept as the words the matcher reads, one 、 between them, however they were typed.
        "offers": "、".join(selectors.offer_words(_text(offers, field="offers", max_length=300, required=False))),
    }, classes


def may_manage_resource(user, resource: Resource) -> bool:
    """Who may correct, stop or restart a resource: a manager of its area, or its linking chief."""
    return selectors.may_manage(user, resource.area) or bool(
        resource.linked_by_id and resource.linked_by.user_id == user.pk)


def _lock_managed_resource(actor: User, resource: Resource) -> Resource:
    """The resource, locked — if ``actor`` manages its area or is the chief who linked it."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not may_manage_resource(actor, resource):
        raise NotFound()
    return resource


@transaction.atomic
def update_resource(*, actor: User, resource: Resource, name: str, provider: str, classes,
                    contact_name: str | None = None, contact_phone: str | None = None, capacity: int = 0,
                    hours: str = "", address: str = "", longitude: float | None = None,
                    latitude: float | None = None, offers: str = "") -> Resource:
    """改资源 — correct a resource's details (its tier, area and linking chief stay: they decide who
    manages it). A contact left as None keeps the one on record (the page never shows it unmasked
    without logging, so it cannot send it back)."""
    resource = _lock_managed_resource(actor, resource)
    fields, classes = _resource_fields(
        name=name, provider=provider, classes=classes,
        contact_name=resource.contact_name if contact_name is None else contact_name,
        contact_phone=resource.contact_phone if contact_phone is None else contact_phone,
        capacity=capacity, hours=hours, address=address, longitude=longitude, latitude=latitude, offers=offers)
    for field, value in fields.items():
        setattr(resource, field, value)
    resource.save(update_fields=list(fields))
    resource.classes.set(classes)
    return resource


def _communities_in(area: Region) -> list[Region]:
    if area.level == RegionLevel.COMMUNITY:
        return [area]
    if area.level in (RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT):
        c = area.ancestor_at(RegionLevel.COMMUNITY)
        return [c] if c else []
    return []


@transaction.atomic
def deactivate_resource(*, actor: User, resource: Resource) -> Resource:
    """停用 — the resource no longer takes needs (its services stay on record)."""
    resource = _lock_managed_resource(actor, resource)
    if not resource.is_active:
        raise InvalidState(_("That resource is already inactive."))
    resource.is_active = False
    resource.save(update_fields=["is_active"])
    return resource


@transaction.atomic
def reactivate_resource(*, actor: User, resource: Resource) -> Resource:
    """恢复 — an inactive resource takes needs again."""
    resource = _lock_managed_resource(actor, resource)
    if resource.is_active:
        raise InvalidState(_("That resource is already active."))
    resource.is_active = True
    resource.save(update_fields=["is_active"])
    return resource


def may_see_contact(user, resource: Resource) -> bool:
    """Those who link residents to the resource: its chief, chiefs and staff who reach its area."""
    return selectors.resources_visible_to(user).filter(pk=resource.pk).exists() and selectors.is_staff_user(user)


def reveal_resource_contact(*, actor: User, resource: Resource) -> dict:
    """The resource's contact in full — every view (and every refused attempt) logged."""
    allowed = may_see_contact(actor, resource)
    with transaction.atomic():
        ResourceContactView.objects.create(resource=resource, user=actor, granted=allowed)
    if not allowed:
        raise NotFound()
    return {"contact_name": resource.contact_name, "contact_phone": resource.contact_phone}


# ---------------------------------------------------------------------------------------------
# 三评 — ratings, follow-ups, publication, evaluation, awards
# ---------------------------------------------------------------------------------------------


def _score(value, field: str, *, required: bool = True) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose a score from 1 to 5."), fields={field: "invalid"}) from None
    if not 1 <= value <= 5:
        raise InvalidInput(_("Choose a score from 1 to 5."), fields={field: "invalid"})
    return value


def rateable_households(service: ServiceRecord) -> set[int]:
    """The households that may rate ``service``: the one served, and those of its (common) need."""
    ids = {service.household_id}
    if service.need_id:
        ids.update(NeedHousehold.objects.filter(need_id=service.need_id).values_list("household_id", flat=True))
    return ids


def rate_service(*, service: ServiceRecord, household: Household, service_score, chief_score=None,
                 fixed: str = "", comment: str = "", at: dt.datetime | None = None) -> Rating:
    """评服务、评三长 — a household rates a service delivered to it (1–5) and the chief who brought
    it, once: a second rating of the same service by the same household is refused (and the
    database holds that too)."""
    if household.pk not in rateable_households(service):
        raise Forbidden(_("Only a household that was served may rate this service."))
    service_score = _score(service_score, "service_score")
    chief_score = _score(chief_score, "chief_score", required=False)
    if fixed:
        _choice(fixed, FixedAnswer, "fixed")
    comment = _text(comment, field="comment", max_length=500, required=False)
    # ``at``: when a rating collected on paper is entered later (never before the service, never
    # in the future); by default now.
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5) or at < service.served_at:
        raise InvalidInput(_("The rating time must lie between the service and now."), fields={"at": "invalid"})
    try:
        with transaction.atomic():
            return Rating.objects.create(service=service, household=household, chief_id=service.chief_id,
                                         resource_id=service.resource_id, service_score=service_score,
                                         chief_score=chief_score, fixed=fixed, comment=comment, rated_at=at)
    except IntegrityError:
        raise AlreadyRated() from None


@transaction.atomic
def answer_follow_up(*, follow_up: FollowUp, fixed: str, score, comment: str = "") -> FollowUp:
    """“Was it really fixed?” — the resident's answer (once); its score counts toward the chief's."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.answered_at is not None:
        raise InvalidState(_("This question has already been answered."))
    _choice(fixed, FixedAnswer, "fixed")
    follow_up.fixed, follow_up.score = fixed, _score(score, "score")
    follow_up.comment = _text(comment, field="comment", max_length=500, required=False)
    follow_up.answered_at = timezone.now()
    follow_up.save(update_fields=["fixed", "score", "comment", "answered_at"])
    return follow_up


def ask_follow_up(*, need: Need, case_id: int, case_number: str = "") -> FollowUp:
    """Open the “was it really fixed?” question for a need whose case was closed (idempotent)."""
    follow_up, created = FollowUp.objects.get_or_create(
        need=need, case_id=case_id, defaults={"case_number": case_number, "chief": need.chief})
    if created and need.resident is not None and need.resident.phone:
        from .signing import follow_token

        _text_resident(need.resident.phone, "neighbourhood_follow_up", subject=follow_up,
                       path=reverse("neighbourhood:follow_up", args=[follow_token(follow_up.pk)]),
                       dedupe_key=f"nb-follow-up:{follow_up.pk}", context={"number": case_number})
    return follow_up


def _check_year(year) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("Choose a year from 2000 to 2100."), fields={"year": "invalid"})


def _check_quarter(year: int, quarter: int, now: dt.datetime) -> None:
    if not (isinstance(year, int) and 2000 <= year <= 2100 and quarter in (1, 2, 3, 4)):
        raise InvalidInput(_("Choose a year and a quarter."), fields={"quarter": "invalid"})
    if selectors.quarter_bounds(year, quarter)[1] > now:
        raise InvalidState(_("A quarter is published only after it has ended."), fields={"quarter": "not_ended"})


@transaction.atomic
def review_quarter(*, actor: User, subdistrict: Region, year: int, quarter: int, min_ratings: int = 3,
                   note: str = "", now: dt.datetime | None = None) -> RatingPeriod:
    """审核 — staff review a quarter's scores (and set the minimum number of ratings a target
    needs to be published). Reviewing again changes the minimum — until it is published."""
    if subdistrict is None or subdistrict.level != RegionLevel.SUBDISTRICT:
        raise InvalidInput(_("Choose a sub-district."), fields={"subdistrict": "level"})
    if not selectors.may_publish(actor, subdistrict):
        raise Forbidden(_("Only the sub-district reviews and publishes the scores."))
    _check_quarter(year, quarter, now or timezone.now())
    try:
        min_ratings = int(min_ratings)
    except (TypeError, ValueError):
        min_ratings = 0
    if not 1 <= min_ratings <= 1000:
        raise InvalidInput(_("The minimum is a whole number from 1."), fields={"min_ratings": "invalid"})
    period = RatingPeriod.objects.select_for_update().filter(subdistrict=subdistrict, year=year, quarter=quarter).first()
    if period is not None and period.is_published:
        raise InvalidState(_("This quarter is published and can no longer change."))
    if period is None:
        period = RatingPeriod(subdistrict=subdistrict, year=year, quarter=quarter)
    period.min_ratings, period.reviewed_by, period.reviewed_at = min_ratings, actor, timezone.now()
    period.review_note = _text(note, field="note", max_length=500, required=False)
    period.formula = selectors.formula_text(min_ratings)
    period.save()
    return period


@transaction.atomic
def publish_quarter(*, actor: User, period: RatingPeriod) -> RatingPeriod:
    """公示 — publish a reviewed quarter: the scores are computed once and stored as an immutable
    snapshot (only targets with at least the minimum number of ratings)."""
    period = RatingPeriod.objects.select_for_update().get(pk=period.pk)
    if not selectors.may_publish(actor, period.subdistrict):
        raise Forbidden(_("Only the sub-district reviews and publishes the scores."))
    if period.is_published:
        raise InvalidState(_("This quarter is published and can no longer change."))
    rows = selectors.quarter_scores(period.subdistrict, period.year, period.quarter, period.min_ratings)
    PublishedScore.objects.bulk_create([
        PublishedScore(period=period, target=r.target, name=r.name, ratings=r.ratings, total=r.total, score=r.score,
                       **{r.target: r.obj}) for r in rows])
    period.status, period.published_by, period.published_at = PeriodStatus.PUBLISHED, actor, timezone.now()
    period.save(update_fields=["status", "published_by", "published_at"])
    return period


EVALUATION_FORMULA = gettext_lazy(
    "total = 60 × residents' score ÷ 5 + 40 × min(1, (needs raised + 2 × services linked + cases reported) ÷ 20); "
    "a chief without ratings gets 0 for the first part.")


def evaluation_total(resident_score, needs: int, services: int, cases: int):
    from decimal import ROUND_HALF_UP, Decimal

    part1 = Decimal(60) * Decimal(resident_score or 0) / Decimal(5)
    part2 = Decimal(40) * min(Decimal(1), Decimal(needs + 2 * services + cases) / Decimal(20))
    return (part1 + part2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def evaluate_chiefs(*, actor: User, subdistrict: Region, year: int) -> list[ChiefEvaluation]:
    """年度评议 — every chief of the sub-district who served in ``year``: residents' scores of the
    year plus everyday work (needs raised, services linked, cases reported). Re-run replaces."""
    from django.db.models import Count, Sum

    if subdistrict is None or subdistrict.level != RegionLevel.SUBDISTRICT:
        raise InvalidInput(_("Choose a sub-district."), fields={"subdistrict": "level"})
    if not selectors.may_publish(actor, subdistrict):
        raise Forbidden(_("Only the sub-district evaluates the chiefs."))
    _check_year(year)
    start, _q = selectors.quarter_bounds(year, 1)
    end, _q = selectors.quarter_bounds(year + 1, 1)
    chiefs = Chief.objects.filter(region__path__startswith=subdistrict.path, appointed_at__lt=end).exclude(
        ended_at__lt=start)
    rows = []
    for chief in chiefs:
        r = Rating.objects.filter(chief=chief, chief_score__isnull=False, rated_at__gte=start, rated_at__lt=end) \
            .aggregate(n=Count("pk"), s=Sum("chief_score"))
        f = FollowUp.objects.filter(chief=chief, answered_at__gte=start, answered_at__lt=end) \
            .aggregate(n=Count("pk"), s=Sum("score"))
        n, s = (r["n"] or 0) + (f["n"] or 0), (r["s"] or 0) + (f["s"] or 0)
        score = selectors._two(s, n) if n else None
        needs = Need.objects.filter(chief=chief, raised_at__gte=start, raised_at__lt=end).count()
        services = ServiceRecord.objects.filter(chief=chief, served_at__gte=start, served_at__lt=end).count()
        cases = Need.objects.filter(chief=chief, case_id__isnull=False, raised_at__gte=start, raised_at__lt=end).count()
        evaluation, _created = ChiefEvaluation.objects.update_or_create(
            chief=chief, year=year, defaults=dict(
                ratings=n, resident_score=score, needs_raised=needs, services_linked=services, cases_reported=cases,
                total=evaluation_total(score, needs, services, cases), computed_by=actor, computed_at=timezone.now()))
        rows.append(evaluation)
    rows.sort(key=lambda e: -e.total)
    return rows


@transaction.atomic
def give_award(*, actor: User, year: int, title: str, reward: str, chief: Chief | None = None,
               resource: Resource | None = None) -> Award:
    """表彰 — an outstanding chief or resource of the year (最美楼栋长 …), with the reward."""
    if (chief is None) == (resource is None):
        raise InvalidInput(_("Choose either a chief or a resource."), fields={"target": "one"})
    _check_year(year)
    place = chief.region if chief is not None else resource.area
    subdistrict = place.ancestor_at(RegionLevel.SUBDISTRICT) or place
    if not selectors.may_publish(actor, subdistrict):
        raise Forbidden(_("Only the sub-district gives awards."))
    try:
        with transaction.atomic():
            return Award.objects.create(
                year=year, title=_text(title, field="title", max_length=50),
                reward=_text(reward, field="reward", max_length=200),
                target=AwardTarget.CHIEF if chief is not None else AwardTarget.RESOURCE,
                chief=chief, resource=resource, awarded_by=actor)
    except IntegrityError:
        raise InvalidState(_("This award has already been given to them this year.")) from None
