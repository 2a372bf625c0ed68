"""Every write of the duplicate finder and the category classifier (one function per write).

A case itself changes only through ``wangge.cases.actions`` (here: ``merge_case``); these write
the app's own rows — candidates, reporter links, classifier models — and the outbox messages
that tell residents, each in one transaction with the change that causes it.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from wangge.cases import actions as case_actions
from wangge.cases import permissions
from wangge.cases.choices import OPEN_STATUSES, CaseStatus
from wangge.cases.errors import CaseNotFound, InvalidInput, InvalidTransition
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.core.followers import follow_new_rows
from wangge.notifications.outbox import queue_message
from wangge.notifications.registry import OutboxChannel
from wangge.replies.routes import reached_elsewhere
from wangge.residents.masking import normalise_phone, valid_phone

from . import classifier, selectors
from .choices import CandidateStatus, LinkKind
from .models import CaseReporterLink, CategoryClassifier, DuplicateCandidate

log = logging.getLogger("wangge.duplicates")

MOBILE = re.compile(r"1[3-9]\d{9}")
TEMPLATE_MERGED = "duplicate_merged"
TEMPLATE_LINKED_ACCEPTED = "linked_case_accepted"
TEMPLATE_LINKED_RESOLVED = "linked_case_resolved"
TEMPLATE_LINKED_REJECTED = "linked_case_rejected"
ANSWER_CHARS = 40
NOTE_CHARS = 200


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


@transaction.atomic
def record_candidates(*, case: Case) -> list[DuplicateCandidate]:
    """Store the earlier cases that may be the same problem as the newly filed ``case`` (run by
    the system when a case is filed on any channel). Running it again adds only new ones."""
    matches = selectors.matches_for_case(case)
    rows = [DuplicateCandidate(case=case, candidate=m.case, score=m.score, reasons=m.reasons) for m in matches]
    DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


FOLLOWER = "intake_duplicates.find"


def find_in_new_cases(*, batch: int = 500) -> int:
    """查重 — store the possible duplicates of every case filed since the last look (the worker
    runs this every few seconds: ``wangge.core.followers``). A case whose look fails is logged
    and passed over — the look is advice; ``manage.py find_duplicates`` looks again."""

    def record_each(cases: list[Case]) -> None:
        for case in cases:
            try:
                with transaction.atomic():
                    record_candidates(case=case)
            except Exception:
                log.exception("looking for duplicates of %s failed", case.number)

    # The region comes along: a case filed at a building or unit is compared by that spot.
    return follow_new_rows(FOLLOWER, Case.objects.select_related("region"), handle=record_each, batch=batch)


def _locked_candidate(candidate: DuplicateCandidate | int) -> DuplicateCandidate:
    pk = candidate.pk if isinstance(candidate, DuplicateCandidate) else candidate
    row = DuplicateCandidate.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if row is None:
        raise CaseNotFound(_("That possible duplicate was not found."))
    return row


def _require_open(row: DuplicateCandidate) -> None:
    if row.status != CandidateStatus.OPEN:
        raise InvalidTransition(_("This possible duplicate has already been decided (%(status)s).")
                                % {"status": row.get_status_display()})


@transaction.atomic
def confirm_duplicate(*, candidate: DuplicateCandidate | int, actor, note: str = "") -> Case:
    """确认重复 — the newer report is the same problem as the earlier one: merge it (the core's
    ``merge_case``) into the case that carries on — the earlier case, or, when that was itself
    merged meanwhile, the end of its chain. Returns the surviving case. Reporters are counted
    and told by ``link_merged_reporters``, which the merge's event runs in this transaction."""
    row = _locked_candidate(candidate)
    note = (note or "").strip()[:NOTE_CHARS]
    duplicate = Case.objects.get(pk=row.case_id)
    permissions.require(actor, "merge", duplicate)  # not found / forbidden before anything else
    _require_open(row)
    survivor = selectors.surviving_case(Case.objects.get(pk=row.candidate_id))
    already = selectors.surviving_case(duplicate)
    if already.pk != survivor.pk:
        if duplicate.status == CaseStatus.MERGED:
            raise InvalidTransition(_("This report was already merged into %(number)s.")
                                    % {"number": already.number})
        case_actions.merge_case(case=duplicate, into=survivor, actor=actor,
                                note=note or str(_("Confirmed duplicate (%(score)d%% similar).")
                                                 % {"score": round(row.score * 100)}))
    row.status, row.decided_at, row.decided_by, row.note = CandidateStatus.CONFIRMED, timezone.now(), actor, note
    row.save(update_fields=["status", "decided_at", "decided_by", "note"])
    return survivor


@transaction.atomic
def dismiss_duplicate(*, candidate: DuplicateCandidate | int, actor, note: str = "") -> DuplicateCandidate:
    """不是重复 — the two reports are different problems; the candidate is kept as decided."""
    row = _locked_candidate(candidate)
    permissions.require(actor, "merge", Case.objects.get(pk=row.case_id))
    _require_open(row)
    row.status, row.decided_at, row.decided_by = CandidateStatus.DISMISSED, timezone.now(), actor
    row.note = (note or "").strip()[:NOTE_CHARS]
    row.save(update_fields=["status", "decided_at", "decided_by", "note"])
    # A resident who said 我也遇到了 is no longer counted on (nor told of) a case that is not theirs.
    other = selectors.surviving_case(Case.objects.get(pk=row.candidate_id))
    CaseReporterLink.objects.filter(case=other, from_case_id=row.case_id, kind=LinkKind.JOINED).delete()
    return row


# --------------------------------------------------------------------------------------------
# Reporters: merged in, or added themselves
# --------------------------------------------------------------------------------------------


def link_merged_reporters(*, duplicate: Case, event_key: str) -> CaseReporterLink | None:
    """``duplicate`` was merged (by any path: a confirmed candidate or the case page's merge):
    count its reporter on the surviving case, move the reporters it had gathered there too
    (chains collapse), and tell its reporter by SMS (unless the app of their channel tells them:
    ``replies.routes``). Runs inside the merge's transaction."""
    survivor = selectors.surviving_case(duplicate)
    if survivor.pk == duplicate.pk:
        return None
    # Reporters gathered by the duplicate follow it to the survivor.
    for moved in CaseReporterLink.objects.select_for_update().filter(case=duplicate):
        own_reporter = moved.resident_id is not None and moved.resident_id == survivor.reporter_id
        joined_twice = moved.kind == LinkKind.JOINED and moved.resident_id is not None and \
            CaseReporterLink.objects.filter(case=survivor, resident_id=moved.resident_id, kind=LinkKind.JOINED).exists()
        if own_reporter or joined_twice:
            moved.delete()  # already counted on the survivor
            continue
        moved.case = survivor
        moved.save(update_fields=["case"])
    link, _created = CaseReporterLink.objects.get_or_create(
        case=survivor, from_case=duplicate,
        defaults={"kind": LinkKind.MERGED, "resident_id": duplicate.reporter_id},
    )
    if link.kind != LinkKind.MERGED:  # a 我也遇到了 report, counted since it was filed: now merged
        link.kind = LinkKind.MERGED
        link.save(update_fields=["kind"])
    phone = mobile_of(duplicate)
    if phone and not reached_elsewhere(duplicate):  # a WeChat reporter hears it on WeChat
        queue_message(channel=OutboxChannel.SMS, to=phone, template=TEMPLATE_MERGED, subject=duplicate,
                      context={"number": duplicate.number, "into": survivor.number,
                               "reporters": selectors.reporter_count(survivor),
                               "track_url": _tracking_url(duplicate)},
                      dedupe_key=f"{event_key}:duplicate_merged:sms:{phone}")
    return link


JOIN_SOURCE = "report_join"  # the idempotency namespace of reports filed by 我也遇到了
JOIN_KEY_FIELDS = ("description", "reporter_phone", "reporter_name", "reporter_anonymous", "address",
                   "longitude", "latitude")
MAX_HOPS = 5  # merges followed from the offered case to the one that carries on


@dataclass(frozen=True)
class Joined:
    """What 我也遇到了 did: ``report`` is the resident's own report, filed as a case (None when
    they were already counted on ``into`` and nothing was filed); ``created`` is False for a
    repeat — the same submission again (``report`` is the one filed the first time) or a
    resident already counted."""

    into: Case
    report: Case | None
    created: bool


def join_key(*, case: Case, offer: str, report: dict) -> str:
    """The idempotency key of one 我也遇到了 submission: the offer the resident answered (signed
    when the page was shown) and what they wrote. A double tap sends both again, so it gets the
    case filed the first time; another resident, or the same one on another visit, differs."""
    parts = [str(case.pk), offer or "", *(str(report.get(k) or "") for k in JOIN_KEY_FIELDS)]
    parts += [str(getattr(report.get(k), "pk", "")) for k in ("category", "region", "related")]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


@transaction.atomic
def join_case(*, case: Case, report: dict, channel: str, offer: str = "") -> Joined:
    """我也遇到了 — a resident on the report page says their problem is the open ``case`` (or the
    case it was merged into) rather than a new one. Like a repeat call on a 12345 line (重复件):
    their report — words, place, photos — is filed as a case of its own through the core's
    ``create_case`` (``report``: its arguments, as the report form gives them; the same checks
    as any report), so they get their own number and tracking link; it is counted on the open
    case at once (their mobile hears its acceptance and answer) and offered to the clerk as a
    duplicate the resident confirmed, to merge with one click.

    Idempotent: the same submission again (``offer`` + the same words: a double tap) files
    nothing more; a resident already counted on the case (its reporter, or one who joined
    before — matched by mobile number) is not filed or counted again. All or nothing."""
    survivor = _locked_survivor(case)
    if survivor.status not in OPEN_STATUSES:
        raise InvalidTransition(_("This problem is no longer being handled; please report it anew."),
                                fields={"case": "finished"})
    key = join_key(case=case, offer=offer, report=report)  # the offered case: a merge meanwhile changes nothing
    again = selectors.joined_report(source=JOIN_SOURCE, key=key)
    if again is not None:
        link = CaseReporterLink.objects.filter(from_case=again).select_related("case").first()
        return Joined(into=link.case if link is not None else survivor, report=again, created=False)
    phone = normalise_phone(report.get("reporter_phone") or "")
    if phone and not valid_phone(phone):
        raise InvalidInput(_("That does not look like a phone number. Example: 13812345678."),
                           fields={"reporter_phone": "invalid"})
    if phone and selectors.counts_phone(survivor, phone):
        return Joined(into=survivor, report=None, created=False)
    own = case_actions.create_case(actor=Actor.of_resident(), channel=channel, source=JOIN_SOURCE,
                                   external_id=key, **{**report, "reporter_phone": phone})
    match = selectors.match_between(own, survivor)
    DuplicateCandidate.objects.get_or_create(
        case=own, candidate=survivor,
        defaults={"score": match.score if match is not None else 1.0,
                  "reasons": {**(match.reasons if match is not None else {}), "resident": True}},
    )
    CaseReporterLink.objects.create(case=survivor, kind=LinkKind.JOINED, resident_id=own.reporter_id, from_case=own)
    return Joined(into=survivor, report=own, created=True)


def _locked_survivor(case: Case | None) -> Case:
    """The case that carries on for ``case``, locked; a merge that landed meanwhile is followed."""
    current = Case.objects.filter(pk=case.pk).first() if case is not None else None
    for _hop in range(MAX_HOPS):
        if current is None:
            break
        current = Case.objects.select_for_update().filter(pk=selectors.surviving_case(current).pk).first()
        if current is not None and current.status != CaseStatus.MERGED:
            return current
    raise CaseNotFound()


def tell_linked_reporters(*, case: Case, event_key: str, template: str, context: dict) -> int:
    """Queue ``template`` to every further reporter of ``case`` with a mobile number (not its own
    reporter, whom ``replies`` tells; nor one whose report the app of its channel tells there:
    ``replies.routes`` — WeChat). One message per event and number. Returns how many."""
    own = mobile_of(case)
    sent = set()
    for link in CaseReporterLink.objects.filter(case=case).select_related("resident", "from_case"):
        if link.from_case is not None and reached_elsewhere(link.from_case):
            continue  # a merged WeChat report hears the case's progress on WeChat
        phone = _mobile(getattr(link.resident, "phone", "")) or (mobile_of(link.from_case) if link.from_case else "")
        if not phone or phone == own or phone in sent:
            continue
        sent.add(phone)
        extra = {"track_url": _tracking_url(link.from_case)} if link.from_case_id else {"track_url": ""}
        queue_message(channel=OutboxChannel.SMS, to=phone, template=template, subject=case,
                      context={"number": case.number, **context, **extra},
                      dedupe_key=f"{event_key}:linked:sms:{phone}")
    return len(sent)


def repoint_links_of_merged_resident(*, kept, merged) -> int:
    """``residents_merged``: the links of ``merged`` move to ``kept`` (mechanical copy)."""
    # A case both had joined: keep one link (the kept resident's).
    CaseReporterLink.objects.filter(
        resident=merged, kind=LinkKind.JOINED,
        case__in=CaseReporterLink.objects.filter(resident=kept).values("case"),
    ).delete()
    return CaseReporterLink.objects.filter(resident=merged).update(resident=kept)


# --------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------


TRAINING_STATUSES = (CaseStatus.CLOSED, CaseStatus.RESOLVED)


def training_rows(*, limit: int) -> list[tuple[str, str]]:
    """(text, category id) of the newest finished cases with a category (at most ``limit``)."""
    rows = (Case.objects.filter(status__in=TRAINING_STATUSES, category__isnull=False, category__is_active=True)
            .order_by("-submitted_at").values_list("title", "description", "category_id")[:limit])
    return [(f"{title} {description}", str(category_id)) for title, description, category_id in rows]


@transaction.atomic
def train_classifier(*, min_cases: int | None = None, limit: int | None = None,
                     seed: int = 7) -> CategoryClassifier | None:
    """Train the category classifier on the newest closed cases and store it (the newest stored
    model is the one used). None — and nothing stored — when there are fewer than ``min_cases``
    such cases or fewer than two categories: suggestions keep to the keyword table."""
    from .suggestions import forget_model, min_training_cases

    min_cases = min_training_cases() if min_cases is None else min_cases
    limit = limit or int(getattr(settings, "WANGGE_CLASSIFIER_MAX_CASES", 50_000))
    docs = training_rows(limit=limit)
    labels = {label for _text, label in docs}
    if len(docs) < max(min_cases, 2) or len(labels) < 2:
        return None
    # One case in ten is held out to measure the model; then it is trained on all of them.
    shuffled = list(docs)
    random.Random(seed).shuffle(shuffled)
    held = shuffled[: len(shuffled) // 10]
    min_count = 2 if len(docs) >= 2000 else 1
    trial = classifier.train(shuffled[len(held):], min_count=min_count)
    model = classifier.train(docs, min_count=min_count)
    row = CategoryClassifier.objects.create(
        cases=len(docs), categories=len(labels), accuracy=classifier.accuracy(trial, held), model=model)
    keep = list(CategoryClassifier.objects.order_by("-trained_at", "-pk").values_list("pk", flat=True)[:3])
    CategoryClassifier.objects.exclude(pk__in=keep).delete()
    transaction.on_commit(forget_model)
    return row


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _mobile(phone: str) -> str:
    digits = normalise_phone(phone or "")
    return digits if MOBILE.fullmatch(digits) else ""


def mobile_of(case: Case | None) -> str:
    if case is None:
        return ""
    reporter = case.reporter if case.reporter_id else None
    return _mobile(getattr(reporter, "phone", "") or case.reporter_phone)


def _tracking_url(case: Case | None) -> str:
    if case is None:
        return ""
    base = str(getattr(settings, "WANGGE_PUBLIC_BASE_URL", "")).rstrip("/")
    return base + reverse("portal:case", kwargs={"token": case.tracking_token})


def short(text: str) -> str:
    text = " ".join((text or "").split())
    return Truncator(text).chars(ANSWER_CHARS, truncate="…").rstrip("。．.!！；;，, ")
