"""我的个人信息 — the resident's own side of PIPL (个人信息保护法 第44–47条): prove the phone by a
text-message code, see what the office holds (查阅), ask for a correction (更正/补充) or a deletion
(删除), and be told the answer by SMS.

Codes and answers leave through the platform's outbox (``wangge.notifications.outbox``: the one
sender, imported where it is used, as ``credit`` does — the outbox itself reads ``residents``' masks).
A deletion is carried out by ``services.anonymise_resident`` and nothing else: while an app still has
business with the resident it refuses, and the request is answered with its reasons.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wangge.core.errors import InvalidInput, InvalidState

from .choices import DataRequestKind, DataRequestStatus
from .errors import OpenBusiness, ResidentGone
from .masking import half_width, normalise_phone, valid_phone
from .models import PersonalDataRequest, Resident, SelfAccessLog, VerificationCode
from .services import anonymise_resident, resident_for_proven_phone

CODE_MINUTES = 10  # a code is good for this long
CODE_ATTEMPTS = 5  # wrong tries before a code is used up
CODE_TEMPLATE = "personal_data_code"
ANSWER_TEMPLATE = "personal_data_answered"
ANSWER_DAYS = 15  # what the page promises: an answer within 15 days of receipt
DETAILS_MAX = 1000
NUMBER_CODES_KEPT = dt.timedelta(days=1)  # a bare number's code rows (they hold the number)
REPLY_IN_SMS = 60  # characters of the staff's reply an SMS carries (the page shows it whole)
_HMAC_SALT = "wangge.residents.personal_data.code"


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


class CodeRefused(InvalidInput):
    """The code typed does not open the page: wrong (``attempts_left`` > 0), expired, or used up.
    Nothing else changed."""

    code = "code_refused"

    def __init__(self, reason: str, *, attempts_left: int = 0):
        self.reason, self.attempts_left = reason, attempts_left
        super().__init__(code_refusal_message(reason, attempts_left), fields={"code": reason})


def code_refusal_message(reason: str, attempts_left: int = 0) -> str:
    if reason == "wrong":
        return ngettext(
            "The code is not right. You can try %(n)d more time.",
            "The code is not right. You can try %(n)d more times.", attempts_left) % {"n": attempts_left}
    if reason == "used_up":
        return str(_("Too many wrong codes: this code no longer works. Please ask for a new one."))
    return str(_("The code has expired. Please ask for a new one."))


class DuplicateRequest(InvalidState):
    code = "duplicate_request"
    default_message = _("You already have a request of this kind waiting for an answer. "
                        "We will answer it first; you will get a text message.")


class RequestAnswered(InvalidState):
    code = "request_answered"
    default_message = _("This request has already been answered.")


# ---------------------------------------------------------------------------------------------
# The code
# ---------------------------------------------------------------------------------------------


def _digest(code: str, salt: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def hash_code(code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(code, salt)}"


def code_matches(code: str, stored: str) -> bool:
    salt, _sep, digest = stored.partition("$")
    return bool(digest) and hmac.compare_digest(_digest(code, salt), digest)


def resident_by_phone(phone: str) -> Resident | None:
    """The resident whose (current) phone is ``phone``; never an erased or merged row."""
    number = normalise_phone(phone)
    if not valid_phone(number):
        return None
    return Resident.objects.filter(phone=number, anonymised_at__isnull=True, merged_into__isnull=True).first()


def send_verification_code(*, phone: str, anonymous_reports: bool = False,
                           now: dt.datetime | None = None) -> VerificationCode | None:
    """Text a new 6-digit code to ``phone`` if a resident has it; None (and nothing sent) if not.

    ``anonymous_reports``: the caller (who may read the cases; ``residents`` sits below them) found
    anonymous reports made from the number. Such a report keeps the number for the call back but
    links to no resident, and the person has the same right to see it: a number without a resident
    but with such reports gets a code for the number alone. No resident is made for it here.

    The caller must answer every case alike ("if this number has records, a code was sent"): the
    page never tells who has records. A new code replaces any earlier one of the resident (or the
    number). Only the code's keyed hash is stored here; the outbox keeps the code only until the
    text is sent, and shows it to no member of staff (``secret_keys``)."""
    number = normalise_phone(phone)
    resident = resident_by_phone(number)
    if resident is None and not (anonymous_reports and valid_phone(number)):
        return None
    from wangge.notifications.outbox import queue_message
    from wangge.notifications.registry import OutboxChannel

    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    owner = {"resident": resident} if resident is not None else {"resident": None, "phone": number}
    with transaction.atomic():
        # A bare number's codes hold the number: gone a day after, whatever became of them.
        VerificationCode.objects.filter(resident__isnull=True, created_at__lt=now - NUMBER_CODES_KEPT).delete()
        VerificationCode.objects.filter(**owner, used_at__isnull=True).update(used_at=now)
        row = VerificationCode.objects.create(**owner, code_hash=hash_code(code), created_at=now,
                                              expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
        queue_message(channel=OutboxChannel.SMS, to=number, template=CODE_TEMPLATE, subject=row,
                      context={"code": code, "minutes": CODE_MINUTES}, dedupe_key=f"personal-data-code:{row.pk}",
                      secret_keys=["code"])
    return row


@dataclass
class Proof:
    """Who a right code proved the visitor to be: a resident, or (``resident`` None) the holder of a
    number that only anonymous reports were made from."""

    resident: Resident | None
    phone: str
    code_id: int


def check_verification_code(*, code_id: int, code: str, now: dt.datetime | None = None) -> Proof:
    """Who the code ``code_id`` opens, if it is ``code`` (it is then used up, and a resident's phone
    counts as verified), or ``CodeRefused``: a wrong code counts one attempt, nothing else changes."""
    now = now or timezone.now()
    typed = "".join(ch for ch in half_width(code) if ch in "0123456789")  # full-width digits too
    with transaction.atomic():
        row = VerificationCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None or row.used_at is not None or now >= row.expires_at or not (row.resident_id or row.phone):
            refusal = CodeRefused("expired")
        elif row.attempts >= CODE_ATTEMPTS:
            refusal = CodeRefused("used_up")
        elif not code_matches(typed, row.code_hash):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = CODE_ATTEMPTS - row.attempts
            refusal = CodeRefused("wrong", attempts_left=left) if left else CodeRefused("used_up")
        else:
            refusal = None
            row.used_at = now
            row.save(update_fields=["used_at"])
            if row.resident_id:
                Resident.objects.filter(pk=row.resident_id, phone_verified_at__isnull=True).exclude(phone="").update(
                    phone_verified_at=now)
    if refusal is not None:
        raise refusal  # after the commit: the counted attempt stays
    if row.resident_id is None:
        return Proof(resident=None, phone=row.phone, code_id=row.pk)
    resident = Resident.objects.select_related("household", "household__unit").get(pk=row.resident_id)
    if resident.anonymised_at or resident.merged_into_id:
        raise CodeRefused("expired")
    return Proof(resident=resident, phone=resident.phone, code_id=row.pk)


def proven_number(*, code_id: int) -> str:
    """The number a used code of a bare number proved, while the row keeps it ("" once the row is
    gone: a day later, or the number erased)."""
    row = VerificationCode.objects.filter(pk=code_id, resident__isnull=True, used_at__isnull=False).first()
    return row.phone if row is not None else ""


def record_self_view(*, resident: Resident, ip_address: str | None = None) -> SelfAccessLog:
    """本人查阅 — the resident saw their own data (their own log, beside the staff's)."""
    try:
        address = str(ipaddress.ip_address(ip_address)) if ip_address else None
    except ValueError:  # a server that gave no address (a test client, a socket)
        address = None
    return SelfAccessLog.objects.create(resident=resident, ip_address=address)


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def create_data_request(*, resident: Resident | None = None, phone: str = "", kind: DataRequestKind,
                        details: str) -> PersonalDataRequest:
    """更正 / 删除 — record the resident's request; staff answer it in the admin. A second pending
    request of the same kind is refused (``DuplicateRequest``); the database holds the rule.

    ``phone`` instead of ``resident``: a number proven by its code that only anonymous reports
    were made from. The request needs someone to answer, so it is recorded under the number's
    resident: made now, holding the number alone (verified) — the reports stay anonymous. From
    then on the number is handled as any resident's (a deletion erases it from those reports)."""
    details = (details or "").strip()
    if kind not in DataRequestKind.values:
        raise InvalidInput(fields={"kind": "invalid"})
    if not details:
        raise InvalidInput(fields={"details": "required"})
    if len(details) > DETAILS_MAX:
        raise InvalidInput(fields={"details": "max_length"})
    if resident is None and not valid_phone(normalise_phone(phone)):
        raise InvalidInput(fields={"phone": "invalid"})
    if resident is not None and (resident.anonymised_at or resident.merged_into_id):
        raise ResidentGone()
    try:
        with transaction.atomic():
            if resident is None:
                resident = resident_for_proven_phone(phone=phone)
            return PersonalDataRequest.objects.create(resident=resident, kind=kind, details=details)
    except IntegrityError:
        if PersonalDataRequest.objects.filter(resident=resident, kind=kind,
                                              status=DataRequestStatus.PENDING).exists():
            raise DuplicateRequest() from None
        raise


@dataclass
class Answer:
    request: PersonalDataRequest
    # A deletion refused because business is still open: the reasons (the resident is told them).
    open_business: list[str]


def answer_data_request(*, data_request: PersonalDataRequest, actor, outcome: DataRequestStatus,
                        reply: str = "") -> Answer:
    """Answer a pending request (已办理 / 已驳回) and text the resident the outcome.

    A deletion answered "done" is carried out here, by ``anonymise_resident``. If it refuses (the
    resident still has open business) the request is answered "refused" with the reasons, and the
    resident is told them: they may ask again once their business is closed."""
    if outcome not in (DataRequestStatus.DONE, DataRequestStatus.REFUSED):
        raise InvalidInput(fields={"status": "invalid"})
    reply = (reply or "").strip()[:DETAILS_MAX]
    reasons: list[str] = []
    with transaction.atomic():
        row = PersonalDataRequest.objects.select_for_update().filter(pk=data_request.pk).first()
        if row is None or row.status != DataRequestStatus.PENDING:
            raise RequestAnswered()
        resident = row.resident
        phone = resident.phone  # before an erasure blanks it: the answer still reaches them
        if row.kind == DataRequestKind.DELETE and outcome == DataRequestStatus.DONE:
            # The resident reads the reasons: in the platform's language, not the officer's.
            with translation.override(settings.LANGUAGE_CODE):
                try:
                    anonymise_resident(resident=resident, actor=actor,
                                       reason=f"PIPL deletion request SQ{row.pk:06d}")
                except OpenBusiness as exc:
                    reasons = exc.reasons
                    outcome = DataRequestStatus.REFUSED
                    refusal = str(_("Your data cannot be deleted yet because you still have business with us "
                                    "(%(reasons)s). You can ask again once it is closed.")
                                  % {"reasons": "; ".join(reasons)})
                    reply = f"{refusal} {reply}".strip()[:DETAILS_MAX]
        row.status, row.reply = outcome, reply
        row.handled_at, row.handled_by = timezone.now(), actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["status", "reply", "handled_at", "handled_by"])
        if phone:
            _text_answer(row, phone)
    data_request.status, data_request.reply = row.status, row.reply
    data_request.handled_at, data_request.handled_by_id = row.handled_at, row.handled_by_id
    return Answer(request=row, open_business=reasons)


def _text_answer(row: PersonalDataRequest, phone: str) -> None:
    from wangge.notifications.outbox import queue_message
    from wangge.notifications.registry import OutboxChannel
    from wangge.notifications.text import shorten

    with translation.override(settings.LANGUAGE_CODE):
        reply = shorten(row.reply, limit=REPLY_IN_SMS)  # the notice puts its own full stop after it
        context = {
            "kind": str(row.get_kind_display()),
            "received": timezone.localtime(row.created_at).strftime("%Y-%m-%d"),
            "outcome": str(row.get_status_display()),
            "reply": reply,
        }
    # The key names the request, never the number: an erasure rewrites keys that hold one. The
    # confirmation of an erasure is queued after it on purpose (it must still reach the resident),
    # so its row is the one place the number survives: it keeps it masked once sent or given up.
    erased = row.kind == DataRequestKind.DELETE and row.status == DataRequestStatus.DONE
    queue_message(channel=OutboxChannel.SMS, to=phone, template=ANSWER_TEMPLATE, subject=row,
                  context=context, dedupe_key=f"personal-data-request:{row.pk}:answered", forget_recipient=erased)
