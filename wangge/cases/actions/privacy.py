"""Residents' personal data: the logged reveal, and the caller look-up of the hotline desk."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.language import office_text
from wangge.core.models import PendingReaction
from wangge.core.ratelimit import Limit, register_limit
from wangge.notifications.services import redact_about
from wangge.org.models import User
from wangge.org.scope import can_look_up_callers
from wangge.residents.errors import ResidentDataForbidden
from wangge.residents.masking import fit_column, mask_phone, normalise_phone, redact_rows, redactor, valid_phone
from wangge.residents.services import reveal_resident, viewer_posts

from .. import permissions
from ..choices import EventType
from ..errors import ActionForbidden, CaseError, CaseNotFound
from ..events import record_event, redact_timeline
from ..mentions import CASE_TEXT_FIELDS, cases_mentioning, forget_mentions
from ..models import (
    Case,
    CaseAttachment,
    ExtensionRequest,
    ReporterAccessLog,
)
from ..models.attachment import stored_name
from ..selectors import cases_visible_to
from ..signals import case_text_erased
from .base import _lock

# Every look-up of residents' data, granted or not, also goes to this logger (settings: LOGGING).
pii_log = logging.getLogger("wangge.pii")

# Caller look-ups per staff member: a clerk answers a call a minute at most and looks each caller
# up once or twice; 120 an hour is that with room to spare, and puts the 10,000 numbers behind a
# mask (138****1234) more than three days of logged guessing away. Tunable in settings
# (``WANGGE_RATE_LIMITS = {"caller_lookup": (count, seconds)}``).
CALLER_LOOKUP_LIMIT = "caller_lookup"
register_limit(CALLER_LOOKUP_LIMIT, 120, 3600)
CALLER_CHANNEL = "caller"


# Unmasked residents per staff member and window: every view is logged, but a leaked session or
# token must not be able to pull every reporter's phone in a minute (``reporter_reveal``).
REVEAL_LIMIT = "reporter_reveal"
register_limit(REVEAL_LIMIT, 120, 3600)


class TooManyReveals(CaseError):
    code = "too_many_requests"
    status_code = 429
    default_message = gettext_lazy("Too many residents' details opened in a short time. Try again later.")


class TooManyLookups(CaseError):
    code = "too_many_requests"
    status_code = 429
    default_message = gettext_lazy("Too many caller look-ups in a short time. Try again later.")


def reveal_reporter(*, case: Case, actor: User, channel: str = "web", ip_address: str | None = None) -> dict:
    """The reporter's unmasked name and phone, for a staff member allowed to see them.

    Every attempt on a case the actor can see is logged (PIPL art. 51): granted or refused, in the
    case's ``ReporterAccessLog`` and on the resident's own access log; a granted view also writes
    a staff-only ``PII_VIEWED`` entry on the timeline. A refused attempt keeps its log rows (they
    are written in their own transaction before the refusal is raised)."""
    if not permissions.can_see(actor, case):
        raise CaseNotFound()
    allowed = permissions.may_reveal_reporter(actor, case)
    limit = Limit.named(REVEAL_LIMIT)
    if allowed and not limit.hit(str(actor.pk)):
        with transaction.atomic():
            ReporterAccessLog.objects.create(case=case, user=actor, channel=channel, ip_address=ip_address,
                                             granted=False, viewer_posts=viewer_posts(actor))
        pii_log.warning("reporter reveal over the limit: user=%s ip=%s case=%s", actor.pk, ip_address, case.number)
        raise TooManyReveals(retry_after=limit.seconds)
    if case.reporter_id:
        # The person's own access log (PIPL): who saw this resident's data, for which case —
        # refused attempts included.
        try:
            reveal_resident(resident=case.reporter, actor=actor, purpose=f"case {case.number}", allowed=allowed,
                            ip_address=ip_address)
        except ResidentDataForbidden:
            pass
    if not allowed:
        with transaction.atomic():
            ReporterAccessLog.objects.create(case=case, user=actor, channel=channel, ip_address=ip_address,
                                             granted=False, viewer_posts=viewer_posts(actor))
        raise ActionForbidden(_("You are not allowed to see residents' personal data."))
    with transaction.atomic():
        locked = _lock(case)  # the timeline entry chains to the case's last one: one writer at a time
        ReporterAccessLog.objects.create(case=locked, user=actor, channel=channel, ip_address=ip_address,
                                         granted=True, viewer_posts=viewer_posts(actor))
        case = locked
        # 全程留痕: the full view is on the case's record, for staff only (never the resident's page).
        record_event(case, EventType.PII_VIEWED, actor=actor, data={"channel": channel}, public=False)
    return {"name": case.reporter_name, "phone": case.reporter_phone, "anonymous": case.reporter_anonymous}


@dataclass(frozen=True)
class CallerHistory:
    """The newest of a caller's earlier cases, and how many there are in all."""

    cases: list[Case]
    total: int


def look_up_caller(*, actor: User, phone: str, ip_address: str | None = None, limit: int = 10) -> CallerHistory:
    """来电历史 — the earlier cases (among those ``actor`` may see) reported from the phone a
    resident is calling from, newest first, for an intake clerk on the call.

    A phone → cases look-up can recover a masked number by guessing, so: a full phone number only
    (part of one finds nothing and counts nothing); only those who take calls
    (``org.scope.CALL_TAKER_ROLES``); at most ``caller_lookup`` look-ups per person per window; and
    every look-up logged — refused or not to the ``wangge.pii`` logger with the number masked, and
    one ``ReporterAccessLog`` row (channel ``caller``) per case it shows. The page shows the cases
    with the reporter masked. (The checks: ``caller_cases``; the log: ``log_caller_lookup``.)"""
    found = caller_cases(actor=actor, phone=phone, ip_address=ip_address)
    if found is None:
        return CallerHistory([], 0)  # nothing is looked up (the clerk is still typing)
    cases = list(found.select_related("category").order_by("-submitted_at", "-pk")[:limit])
    total = len(cases) if len(cases) < limit else found.count()
    log_caller_lookup(actor=actor, phone=phone, cases=cases, ip_address=ip_address)
    return CallerHistory(cases, total)


def caller_cases(*, actor: User, phone: str, ip_address: str | None = None,
                 within: QuerySet | None = None, counted: bool = True) -> QuerySet | None:
    """The caller look-up's question (``look_up_caller``): the cases reported from ``phone``
    among ``within`` — ``actor``'s cases (``cases_visible_to``), or a list of them narrowed further
    (the case list's filters) — unread. None when ``phone`` is not a whole number: nothing is
    looked up, nothing counted. Refused as ``start_caller_lookup`` refuses; ``counted=False`` for
    a look-up already counted when it was started (the case list pages through one caller's
    cases under a key that stands for the number: one look-up, however many pages).
    What it then shows is logged by ``log_caller_lookup``."""
    text = (phone or "").strip()
    number = start_caller_lookup(actor=actor, phone=text, ip_address=ip_address, counted=counted)
    if not number:
        return None
    found = (cases_visible_to(actor) if within is None else within).filter(reporter_phone__in=sorted({text, number}))
    # Kept on the query (it survives clones: ordering, paging): the list that shows these cases
    # knows to log them (``caller_lookup_of``).
    found.query.caller_lookup = number
    return found


def start_caller_lookup(*, actor: User, phone: str, ip_address: str | None = None, counted: bool = True) -> str:
    """The checks of a caller look-up, before anything is read: the number ``phone`` is
    (normalised), or "" when it is not a whole number (nothing looked up, nothing counted).
    Refused (``ActionForbidden``) to anyone but a call taker, and past the ``caller_lookup`` limit
    (``TooManyLookups``; not counted again when ``counted`` is False); each refusal is logged to
    ``wangge.pii``, the number masked."""
    number = normalise_phone((phone or "").strip())
    who = getattr(actor, "pk", None)
    if not valid_phone(number):
        return ""
    if not can_look_up_callers(actor):
        pii_log.warning("caller look-up refused: user=%s ip=%s phone=%s", who, ip_address, mask_phone(number))
        raise ActionForbidden(_("Only intake clerks may look up a caller's earlier cases."))
    if not counted:
        return number
    lookups = Limit.named(CALLER_LOOKUP_LIMIT)
    if not lookups.hit(str(actor.pk)):
        pii_log.warning("caller look-up over the limit: user=%s ip=%s phone=%s", who, ip_address, mask_phone(number))
        raise TooManyLookups(retry_after=lookups.seconds)
    return number


def caller_lookup_of(queryset: QuerySet) -> str:
    """The phone (normalised) a list of cases was looked up by (``caller_cases``), or ""."""
    return getattr(queryset.query, "caller_lookup", "")


def log_caller_lookup(*, actor: User, phone: str, cases, ip_address: str | None = None) -> None:
    """What a caller look-up showed ``actor``: one ``ReporterAccessLog`` row (channel ``caller``)
    per case, and a ``wangge.pii`` line with the number masked."""
    cases = list(cases)
    posts = viewer_posts(actor) if cases else []
    with transaction.atomic():
        ReporterAccessLog.objects.bulk_create([
            ReporterAccessLog(case_id=case.pk, user=actor, channel=CALLER_CHANNEL, ip_address=ip_address,
                              granted=True, viewer_posts=posts)
            for case in cases
        ])
    pii_log.info("caller look-up: user=%s ip=%s phone=%s cases=%s", getattr(actor, "pk", None), ip_address,
                 mask_phone(normalise_phone(phone)), ",".join(case.number for case in cases) or "-")


def repoint_reporter(*, kept, merged) -> int:
    """Two residents turned out to be one person (``residents_merged``): their cases follow the
    one kept. Runs inside the residents' merge transaction; returns how many cases moved."""
    return Case.objects.filter(reporter=merged).update(reporter=kept)


# What the staff read on the timeline where the erasure is recorded (the data says which rows).
REDACTED_NOTE = gettext_lazy(
    "A resident's personal data was erased (PIPL): their number and name now read 〔已删除〕 in %(case)d of "
    "the case's texts, %(events)d timeline entries, %(files)d file names and %(notices)d notices.")


def erase_reporter_snapshots(*, resident, phone: str = "", name: str = "") -> int:
    """PIPL erasure (``resident_anonymised``): blank the name and phone each of the resident's
    cases kept as it was told at filing; the cases, their timelines and every figure stay. An
    anonymous report keeps the number it was made from (for the callback) but is linked to no
    resident: the erased ``phone`` goes from those too. Before that, the number and the name go
    from what people typed about them (``erase_from_free_text``) — on those cases, and on the
    cases they were merged into (the merge note and what the clerk copied over name them there;
    that case's own reporter is not touched), and the number alone from every other case whose
    texts or timeline quote it (found through ``cases.mentions``, whose rows of it go too).
    Returns how many cases were blanked."""
    cases = Case.objects.filter(reporter=resident)
    if phone:
        cases = cases | Case.objects.filter(reporter__isnull=True, reporter_phone=phone)
    theirs = {pk: (into, number, called) for pk, into, number, called
              in cases.values_list("pk", "merged_into_id", "reporter_phone", "reporter_name")}
    # What to look for on each case: the erased number and name, and what each of their reports
    # was told at filing — on a case their reports were merged into, those reports' too.
    sought: dict[int, tuple[set, set]] = {}
    for pk, (into, number, called) in theirs.items():
        for target in (pk, into) if into else (pk,):
            phones, names = sought.setdefault(target, ({phone}, {name}))
            phones.add(number)
            names.add(called)
    # Other people's cases that quote the number (a neighbour's complaint, a handler's note): the
    # number goes from them; the name does not — on someone else's case it may be another person's.
    for pk in cases_mentioning(phone) if phone else ():
        sought.setdefault(pk, ({phone}, set()))
    # Locked in primary-key order, as every action locks: their timelines are rewritten below.
    locked = list(Case.objects.filter(pk__in=list(sought)).select_for_update(of=("self",)).order_by("pk"))
    actor = getattr(resident, "anonymised_by", None)
    for case in locked:
        phones, names = sought[case.pk]
        erase_from_free_text(case=case, phones=phones, names=names, actor=actor)
    if phone:  # the index of mentions keeps the number no longer, wherever it was typed
        forget_mentions(phones=[phone])
    return Case.objects.filter(pk__in=list(theirs)).update(reporter_name="", reporter_phone="")


def erase_from_cases(*, cases, phones, names, actor=None) -> int:
    """删除 in cases another app filed from what it holds about a person (a key-person visit's
    need: the case took its words as title, description and address) — the person is not their
    reporter, so ``erase_reporter_snapshots`` does not reach them. The cases (ids) are locked in
    primary-key order and each goes through ``erase_from_free_text``. Returns how many changed.
    Runs in the caller's transaction."""
    locked = Case.objects.filter(pk__in=sorted(set(cases))).select_for_update(of=("self",)).order_by("pk")
    return sum(1 for case in locked if erase_from_free_text(case=case, phones=phones, names=names, actor=actor))


def erase_from_free_text(*, case: Case, phones, names, actor=None) -> dict:
    """删除 in what people typed: each of ``phones`` (in any form it was typed: 138 1234 1234,
    +86 138-1234-1234 …) and each of ``names`` (two characters or more, verbatim) is replaced by
    〔已删除〕 in the case's free texts (``CASE_TEXT_FIELDS``), its extension requests' reasons, its
    attachments' file names (the stored file is renamed too), the notifications and texts sent
    about it (``notifications.services.redact_about``: a new case's title to its handler, the
    answer texted to the resident), the copies other apps keep (``signals.case_text_erased``: a
    meeting's agenda and minutes), the reactions to its events still waiting in
    ``core.PendingReaction`` (or given up there) and its timeline — every note and every text in the events' data (``events.redact_timeline``, which
    re-seals the hash chain).
    When anything changed, a staff-only ``PII_REDACTED`` row says what — field names and event
    ids, never the words — and is chained after the rows it changed. Someone else's number in the
    same text stays. Returns the ``PII_REDACTED`` data ({} when nothing matched: nothing written).
    Runs in the caller's transaction with ``case`` locked."""
    redact = redactor(phones=phones, names=names)
    record: dict = {}
    forget_mentions(phones=phones, case_id=case.pk)
    changed = {field: fit_column(Case, field, redact(getattr(case, field))) for field in CASE_TEXT_FIELDS}
    changed = {field: value for field, value in changed.items() if value != getattr(case, field)}
    if changed:
        Case.objects.filter(pk=case.pk).update(**changed, updated_at=timezone.now())
        for field, value in changed.items():
            setattr(case, field, value)
        record["case"] = sorted(changed)
    extensions = redact_rows(ExtensionRequest.objects.filter(case=case).order_by("pk"), redact, ["reason"])
    if extensions:
        record["extensions"] = [request.pk for request in extensions]
    files = [_redact_attachment(attachment, redact) for attachment in CaseAttachment.objects.filter(case=case)]
    if any(files):
        record["files"] = [pk for pk in files if pk]
    notices = redact_about(subject=case, redact=redact)
    if notices:
        record["notices"] = notices
    # The apps that copy the case's words (a meeting's agenda and minutes): their rows changed.
    elsewhere = sum(count for _receiver, count in case_text_erased.send(sender=Case, case=case, redact=redact)
                    if isinstance(count, int))
    if elsewhere:
        record["elsewhere"] = elsewhere
    # Reactions to the case's events still waiting (or given up) hold a copy of their note and data.
    reactions = redact_rows(PendingReaction.objects.filter(event__subject="cases.case", event__subject_id=case.pk)
                            .select_for_update().order_by("pk"), redact, ["event"])
    if reactions:
        record["reactions"] = [row.pk for row in reactions]
    timeline = redact_timeline(case, redact)
    if timeline.events:
        record["events"] = timeline.events
    if record:
        if timeline.unverified:
            record["unverified"] = timeline.unverified
        note = office_text(REDACTED_NOTE, {"case": len(record.get("case", [])), "events": len(timeline.events),
                                           "files": len(record.get("files", [])), "notices": notices})
        record_event(case, EventType.PII_REDACTED, actor=actor, data=record, note=note, public=False)
    return record


def _redact_attachment(attachment, redact) -> int | None:
    """The attachment's file name without the erased words (its stored file renamed: the old one
    is deleted once the erasure is committed; a rolled-back erasure leaves the new copy behind,
    under the redacted name); its pk if anything changed."""
    name = fit_column(CaseAttachment, "original_name", redact(attachment.original_name))
    path = attachment.file.name or ""
    folder, _sep, base = path.rpartition("/")
    if name == attachment.original_name and redact(base) == base:
        return None
    fields = {"original_name": name}
    storage = attachment.file.storage
    if path and redact(base) != base and storage.exists(path):
        with storage.open(path, "rb") as content:
            fields["file"] = storage.save(f"{folder}/{stored_name(redact(base))}" if folder else stored_name(
                redact(base)), content)
        transaction.on_commit(lambda: storage.delete(path))
    type(attachment).objects.filter(pk=attachment.pk).update(**fields)
    return attachment.pk


def open_cases_of(resident) -> str | None:
    """The retention check: a resident with a case still being handled may not be erased yet."""
    from ..choices import OPEN_STATUSES

    if Case.objects.filter(reporter=resident, status__in=OPEN_STATUSES).exists():
        return _("has cases still being handled")
    return None
