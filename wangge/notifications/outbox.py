"""The outbox (发件箱): every message that leaves the platform — SMS, WeChat, e-mail.

Writing: ``queue_message`` is called inside the transaction of the event that causes the message
(a case accepted, resolved …), so the message exists exactly when the event does. Its dedupe key
is unique: the same event never queues a second message to the same recipient.

Delivering: after commit a task asks a worker to run ``deliver_due_messages``; a periodic run
catches whatever the prompt one missed. A delivery

1. claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (several workers share the outbox),
   marks them ``sending`` with a lease, and commits;
2. hands each to its channel's gateway with the row's dedupe key as the idempotency key;
3. marks it ``sent`` — or, on failure, ``pending`` again after a back-off (1 min, 5 min, 30 min,
   2 h, 12 h) and after the last attempt ``dead`` — in a new transaction, only if it still holds
   the lease.

A worker killed between 1 and 3 leaves the row ``sending``; once the lease has passed another run
takes it again and sends it with the same idempotency key, which the gateway dedupes on (the
file gateway does; real SMS APIs take a client-side id). So nothing is lost and, as far as the
provider keeps its promise, nothing reaches a resident twice. Dead letters are listed in the
admin, with a retry action (``retry_dead_messages``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.template import Context, Engine, Template
from django.utils import timezone, translation

from .choices import OutboxStatus
from .gateways import SECRET_MASK, Envelope, PermanentGatewayError, gateway_for, mask_address, masked_key, secret_values
from .gateways import conceal as conceal_values
from .models import MessageTemplate, OutboundMessage
from .registry import outbox_channels

log = logging.getLogger("wangge.outbox")

# Waits after a failed attempt: 1 min, 5 min, 30 min, 2 h, 12 h; the attempt after the last
# wait is the last one, and if it fails the message is a dead letter.
RETRY_DELAYS = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How long a worker may take to hand one claimed batch to the gateways before another worker
# presumes it dead and sends the batch again (with the same keys). Gateways must time out sooner.
DEFAULT_LEASE_SECONDS = 300
CLAIM_BATCH = 20
INTERRUPTED = "The previous delivery was interrupted (worker lost); sent again with the same key."

# Message texts are plain text (an SMS, a WeChat field): no HTML escaping of "<" or "&".
_ENGINE = Engine(autoescape=False)


def compile_text(text: str) -> Template:
    """Parse a message template (raises ``TemplateSyntaxError``)."""
    return _ENGINE.from_string(text or "")


def render_text(text: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return compile_text(text).render(Context(context, autoescape=False)).strip()


def lease_seconds() -> int:
    return int(getattr(settings, "WANGGE_OUTBOX_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def queue_message(*, channel: str, to: str, template: str, context: dict, subject=None,
                  dedupe_key: str, secret_keys: Iterable[str] = (),
                  forget_recipient: bool = False) -> OutboundMessage | None:
    """Put one message to ``to`` in the outbox, in the caller's transaction; delivered after commit.

    ``template`` is a ``MessageTemplate`` key, rendered with ``context`` (kept with the message,
    so values must be JSON-able or become strings). Returns the new row, or None when nothing is
    queued: a message with ``dedupe_key`` exists already (the same event and recipient), or the
    template is missing or switched off by an admin. A template that does not render gives a dead
    letter an admin sees, never an exception in the caller's action.

    ``secret_keys`` name the context values that are secrets (a verification code): the row keeps
    them only until the message is sent or given up, the admin never shows them (``conceal``), and
    such a message is never retried by hand (a code is good for minutes; the resident asks anew).

    ``forget_recipient``: once the message is sent or given up, its recipient is kept masked
    (138****1234) — for a message that must reach an address the platform may no longer keep (the
    confirmation of a resident's erasure). Its ``dedupe_key`` must not hold the address."""
    if channel not in outbox_channels:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if not dedupe_key:
        raise ValueError("queue_message() needs a dedupe key")
    if not to:
        raise ValueError("queue_message() needs an address")
    if forget_recipient and to in dedupe_key:
        raise ValueError("a message that forgets its recipient needs a dedupe key without the address")
    if OutboundMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    tpl = MessageTemplate.objects.filter(key=template).first()
    if tpl is None or not tpl.is_active:
        if tpl is None:
            log.warning("outbox: no message template %r; nothing sent for %s", template, masked_key(dedupe_key))
        return None
    if tpl.channel != channel:
        raise ValueError(f"message template {template!r} is for {tpl.channel}, not {channel}")

    now = timezone.now()
    row = OutboundMessage(
        channel=channel, to=to[:200], template=template, context=_jsonable(context), dedupe_key=dedupe_key[:200],
        secret_keys=sorted(set(secret_keys)), forget_recipient=forget_recipient,
        status=OutboxStatus.PENDING, next_attempt_at=now, created_at=now,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
    )
    _render_into(row, tpl, context)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin with the same key loses quietly
            row.save(force_insert=True)
    except IntegrityError:
        if OutboundMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if row.status == OutboxStatus.PENDING:
        transaction.on_commit(kick_delivery, robust=True)
    return row


def _jsonable(context: dict) -> dict:
    return json.loads(json.dumps(context or {}, cls=DjangoJSONEncoder, default=str))


def _render_into(row: OutboundMessage, tpl: MessageTemplate, context: dict) -> None:
    """Render ``tpl`` into ``row``; a template an admin broke makes the row a dead letter."""
    try:
        row.title = render_text(tpl.title, context)[:200] if tpl.title else ""
        row.body = render_text(tpl.body, context)
    except Exception as exc:  # noqa: BLE001 — TemplateSyntaxError, or a filter failing on a value
        row.title, row.body = "", ""
        row.status, row.next_attempt_at = OutboxStatus.DEAD, None
        row.last_error = f"template {tpl.key!r} did not render: {type(exc).__name__}: {exc}"[:2000]
        log.error("outbox: %s (%s)", row.last_error, masked_key(row.dedupe_key))
        _set(row, _forgotten(row))
    else:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = row.next_attempt_at or timezone.now()
        row.last_error = ""


def kick_delivery() -> None:
    """Ask a worker to deliver now (after commit). If the queue is down, the periodic run will."""
    from .tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:
        log.exception("outbox: could not enqueue a delivery; the periodic run will send the messages")


# --------------------------------------------------------------------------------------------
# Delivering
# --------------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0


def deliver_due_messages(*, limit: int = 200, now: dt.datetime | None = None) -> DeliveryResult:
    """Deliver up to ``limit`` due messages (pending and due, or left ``sending`` past their
    lease by a worker that died), in claimed batches. ``now`` is for tests; by default the clock."""
    result = DeliveryResult()
    while result.claimed < limit:
        batch = _claim(min(CLAIM_BATCH, limit - result.claimed), now)
        if not batch:
            break
        result.claimed += len(batch)
        for message in batch:
            _deliver(message, result, now)
    return result


def _claim(size: int, now: dt.datetime | None) -> list[OutboundMessage]:
    """Take due rows for this worker: status ``sending`` and a lease, committed before any is sent."""
    at = now or timezone.now()
    lease = at + dt.timedelta(seconds=lease_seconds())
    with transaction.atomic():
        rows = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=at)
            .order_by("next_attempt_at", "pk")[:size]
        )
        claimed, given_up = [], []
        for row in rows:
            if row.status == OutboxStatus.SENDING:
                # Its worker died mid-delivery: the gateway may or may not have the message; the
                # same key makes a second hand-over harmless.
                row.last_error = INTERRUPTED
                if row.attempts >= MAX_ATTEMPTS:
                    row.status, row.next_attempt_at, row.lease_until = OutboxStatus.DEAD, None, None
                    _set(row, _forgotten(row))
                    given_up.append(row)
                    continue
            row.status = OutboxStatus.SENDING
            row.attempts += 1
            row.lease_until = row.next_attempt_at = lease
            claimed.append(row)
        OutboundMessage.objects.bulk_update(
            claimed + given_up, ["status", "attempts", "lease_until", "next_attempt_at", "last_error",
                                 "title", "body", "context", "to"]
        )
    return claimed


def _deliver(message: OutboundMessage, result: DeliveryResult, now: dt.datetime | None) -> None:
    envelope = Envelope(channel=message.channel, to=message.to, body=message.body, title=message.title,
                        idempotency_key=message.dedupe_key, template=message.template, context=message.context,
                        secret_keys=tuple(message.secret_keys or ()))
    try:
        gateway_id = gateway_for(message.channel).send(envelope)
    except PermanentGatewayError as exc:
        _failed(message, exc, result, now, permanent=True)
    except Exception as exc:  # noqa: BLE001 — not BaseException: a worker being stopped leaves the row "sending"
        _failed(message, exc, result, now)
    else:
        _finish(message, now, status=OutboxStatus.SENT, sent_at=now or timezone.now(),
                gateway_message_id=str(gateway_id or "")[:128], last_error="", next_attempt_at=None,
                **_forgotten(message))
        result.sent += 1


def _failed(message, exc: Exception, result: DeliveryResult, now, *, permanent: bool = False) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("outbox: %s to %s failed (attempt %d): %s", message.channel, masked_key(message.dedupe_key),
                message.attempts, error)
    if permanent or message.attempts >= MAX_ATTEMPTS:
        _finish(message, now, status=OutboxStatus.DEAD, last_error=error, next_attempt_at=None,
                **_forgotten(message))
        result.dead += 1
    else:
        delay = RETRY_DELAYS[message.attempts - 1]
        _finish(message, now, status=OutboxStatus.PENDING, last_error=error,
                next_attempt_at=(now or timezone.now()) + dt.timedelta(seconds=delay))
        result.retrying += 1


def _finish(message: OutboundMessage, now, **fields) -> None:
    """Record the outcome — only while this worker still holds the lease. If it ran out and
    another worker took the row, that worker's outcome stands (the gateway saw the same key)."""
    updated = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, lease_until=message.lease_until
    ).update(lease_until=None, **fields)
    if not updated:
        log.warning("outbox: lost the lease of %s before recording its outcome", masked_key(message.dedupe_key))


# --------------------------------------------------------------------------------------------
# Secrets (a verification code)
# --------------------------------------------------------------------------------------------

def conceal(text: str, message: OutboundMessage) -> str:
    """``text`` (the message's title or body) with its secret context values masked."""
    return conceal_values(text, secret_values(message.context, message.secret_keys))


def concealed_context(message: OutboundMessage) -> dict:
    secret = set(message.secret_keys or ())
    return {key: SECRET_MASK if key in secret else value for key, value in (message.context or {}).items()}


def _forgotten(message: OutboundMessage) -> dict:
    """The field values a message sent or given up keeps instead of its secrets and, when it is
    to forget it, its recipient (none if it has nothing to forget)."""
    values = {}
    if message.secret_keys:
        values.update(title=conceal(message.title, message), body=conceal(message.body, message),
                      context=concealed_context(message))
    if message.forget_recipient:
        values["to"] = mask_address(message.to)
    return values


def _set(row: OutboundMessage, values: dict) -> list[str]:
    for name, value in values.items():
        setattr(row, name, value)
    return list(values)


# --------------------------------------------------------------------------------------------
# Dead letters
# --------------------------------------------------------------------------------------------


def dead_letters():
    return OutboundMessage.objects.filter(status=OutboxStatus.DEAD)


def retry_dead_messages(*, ids=None) -> int:
    """An admin's retry of dead letters: due now, attempts start again, same dedupe key (so one
    the provider did get is not received twice). A message whose template failed to render is
    rendered again from its template (the admin may have fixed it). Returns how many are queued."""
    queued = 0
    with transaction.atomic():
        qs = OutboundMessage.objects.select_for_update().filter(status=OutboxStatus.DEAD).exclude(to="")
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        for row in qs.order_by("pk"):
            if row.secret_keys or row.forget_recipient:
                continue  # its secret or its recipient is gone (a code is good for minutes: the resident asks anew)
            if not row.body:
                tpl = MessageTemplate.objects.filter(key=row.template).first()
                if tpl is None:
                    row.last_error = f"template {row.template!r} no longer exists"
                    row.save(update_fields=["last_error"])
                    continue
                row.next_attempt_at = None
                _render_into(row, tpl, row.context)
                if row.status == OutboxStatus.DEAD:
                    row.save(update_fields=["last_error"])
                    continue
            row.status = OutboxStatus.PENDING
            row.attempts = 0
            row.next_attempt_at = timezone.now()
            row.lease_until = None
            row.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until", "title", "body",
                                    "last_error"])
            queued += 1
        if queued:
            transaction.on_commit(kick_delivery, robust=True)
    return queued


def withdraw_messages(*, subject, templates, reason: str) -> int:
    """The messages about ``subject`` from ``templates`` that no longer hold (an "accepted" text
    to a report rejected before it went out) and have not been sent: withdrawn — never sent, and
    not among the dead letters an admin retries. One a worker is handing over right now is left
    to finish. Runs in the caller's transaction. Returns how many were withdrawn."""
    rows = OutboundMessage.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, template__in=list(templates),
        status__in=[OutboxStatus.PENDING, OutboxStatus.DEAD],
    )
    with_secrets = [row for row in rows.only("pk", "to", "title", "body", "context", "secret_keys", "forget_recipient")
                    if row.secret_keys or row.forget_recipient]
    withdrawn = rows.update(status=OutboxStatus.WITHDRAWN, next_attempt_at=None, lease_until=None,
                            last_error=reason[:2000])
    for row in with_secrets:
        OutboundMessage.objects.filter(pk=row.pk).update(**_forgotten(row))
    return withdrawn


# --------------------------------------------------------------------------------------------
# Erasure (PIPL)
# --------------------------------------------------------------------------------------------

ERASED = "erased"

def forget_addresses(*, addresses, tag: str) -> int:
    """A resident's data was erased: the messages to ``addresses`` (their phone, their OpenIDs)
    keep their subject, template and times — what was sent and when stays countable — but no
    longer the address, in the recipient or in the dedupe key (``tag`` takes its place there,
    so the key stays unique); one still waiting (or dead) is withdrawn, never sent. Returns how
    many rows changed. Runs in the erasure's transaction."""
    addresses = sorted({a for a in addresses if a})
    changed = 0
    if not addresses:
        return changed
    rows = OutboundMessage.objects.select_for_update().filter(to__in=addresses).order_by("pk")
    for row in rows:
        for address in addresses:
            row.dedupe_key = row.dedupe_key.replace(address, f"{ERASED}-{tag}")
        row.to = ""
        fields = ["to", "dedupe_key"]
        if row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.DEAD):
            row.status, row.next_attempt_at, row.lease_until = OutboxStatus.WITHDRAWN, None, None
            row.last_error = "recipient's personal data erased"
            fields += ["status", "next_attempt_at", "lease_until", "last_error", *_set(row, _forgotten(row))]
        row.save(update_fields=fields)
        changed += 1
    return changed
