import datetime as dt
import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CaseStatus


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")
    SYSTEM = "system", _("System")
    INTEGRATION = "integration", _("Integration")


# The version of the canonical form below: a new form needs a new prefix (and verify_audit must
# then know both), never a silent change — every stored hash was computed with this one.
HASH_PREFIX = "wangge.caseevent.v1"


def _plain(value):
    """A JSON value as it reads back from the database: an integral float becomes an int
    (PostgreSQL's jsonb may return ``1e20`` as ``100000000000000000000``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def event_hash(event, prev_hash: str) -> str:
    """SHA-256 over the canonical content of a timeline row and the hash of the row before it on
    the same case ("" for the first): case, type, actor and its kind, time (UTC), statuses, data,
    note, public, related object, previous hash. Works on a historical model too (migrations).

    The data is normalised the way it reads back (keys as strings, tuples as lists) so the hash
    computed before the INSERT is the one recomputed from the stored row."""
    at = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [
        HASH_PREFIX, event.case_id, event.type, event.actor_id, event.actor_kind, at,
        event.from_status, event.to_status, _plain(json.loads(json.dumps(event.data or {}))),
        event.note, bool(event.public), event.related_type_id, event.related_id, prev_hash or "",
    ]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CaseEvent(models.Model):
    """One entry in a case's timeline. Append-only: written by ``cases.events`` and never
    updated or deleted (全程留痕). On PostgreSQL a trigger refuses UPDATE and DELETE (see
    ``wangge.audit``); everywhere, ``hash`` chains each row to the one before it on its case
    (``prev_hash``, "" for the first), so ``manage.py verify_audit`` finds a row changed or
    removed behind the application's back."""

    # No index of its own: (case, created_at) below leads with it.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events", db_index=False)
    # A registered timeline event type (``cases.timeline.event_types``): apps add their own.
    type = models.CharField(_("action"), max_length=48)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.STAFF)
    created_at = models.DateTimeField(_("time"), db_index=True)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    # Old → new values of the fields the action changed, and its parameters.
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Shown on the resident's tracking page (plain words, no staff names).
    public = models.BooleanField(default=True)
    # What the event came from, in another app: the meeting that decided, the patrol check-in
    # that found it. Generic, so a new app needs no migration here.
    related_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    # The chain (see ``event_hash``): written with the row by ``cases.events``, never after.
    hash = models.CharField(max_length=64, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"])]
        constraints = [
            # No fork: one first event per case, and no two events after the same one (a writer
            # that read a stale tail fails here instead of splitting the chain).
            models.UniqueConstraint(fields=["case", "prev_hash"], name="cases_event_one_successor"),
        ]

    def get_type_display(self) -> str:
        from ..timeline import event_types

        return event_types.label(self.type)

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.created_at:%Y-%m-%d %H:%M}"

    def compute_hash(self) -> str:
        return event_hash(self, self.prev_hash)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are append-only")
        super().save(*args, **kwargs)
