"""Case API serializers: what a case looks like in the API, and the input of each action.

Output serializers only present data (personal data masked); input serializers only check
shapes and types and resolve ids. Every rule of the domain lives in ``cases.actions``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wangge.core.api import InputSerializer, QueryInputSerializer
from wangge.org.models import Department, Region, User

from .. import permissions, selectors
from ..actions import NOTE_MAX_LENGTH, RESULT_MAX_LENGTH
from ..channels import api_may_use_source, channels, source_namespace
from ..choices import (
    AssignmentRole,
    Channel,
    HandlingType,
    Satisfaction,
    Stage,
    StarLevel,
)
from ..closing_rules import NoRevisit
from ..filtersets import EARLIEST_DATE, LATEST_DATE
from ..models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    Category,
    ExtensionRequest,
    SlaPolicy,
)

# ---------------------------------------------------------------------------------------------
# Small pieces
# ---------------------------------------------------------------------------------------------


class CalledField(serializers.CharField):
    """A string the object's method gives (``source="get_status_display"``, ``"__str__"``), called
    directly: DRF would first read the method's signature with ``inspect`` on every call — most of
    the time a list page of 50 cases took to write."""

    def get_attribute(self, instance):
        return getattr(instance, self.source)()


class RefSerializer(serializers.Serializer):
    """A reference to a named object: {id, name}."""

    id = serializers.IntegerField()
    name = CalledField(source="__str__")


class CategoryRefSerializer(serializers.Serializer):
    """A reference to a category: {id, name, name_en} — ``name`` as stored (Chinese), ``name_en``
    its English name ('' when none is set); the reader picks by its own language."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class CategoryField(serializers.Field):
    """A category given by id (``12``) or by code (``"road-parking"``)."""

    default_error_messages = {
        "unknown": _("Unknown category: {value}."),
        "invalid": _("Give the category as its id or its code."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        text = str(data).strip()
        if not text or len(text) > 60:
            self.fail("unknown", value=text[:60])
        is_id = text.isascii() and text.isdigit() and len(text) < 19  # "²".isdigit() is True too
        lookup = {"pk": int(text)} if is_id else {"code": text}
        category = Category.objects.filter(**lookup).first()
        if category is None:
            self.fail("unknown", value=text)
        return category

    def to_representation(self, value):
        return value.pk


extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}],
                     "description": "Category id or code"})(CategoryField)


class UploadsField(serializers.ListField):
    """Photos and other files (multipart ``attachments``, repeated). Type and size are checked
    by content in ``cases.attachments`` before anything is written."""

    child = serializers.FileField(allow_empty_file=True, use_url=False)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)


class TooLong(MaxLengthValidator):
    """At most ``limit`` characters — the limit the action enforces, refused here first in the
    action's own words and code (``too_long``); the schema shows it as ``maxLength``."""

    code = "too_long"

    def __init__(self, limit: int, label):
        super().__init__(limit)
        self.label = label

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise DjangoValidationError(
                _("%(label)s is too long (at most %(n)d characters).") % {"label": self.label, "n": self.limit_value},
                code=self.code,
            )


def reason_field(**kwargs) -> serializers.CharField:
    # Blank is passed on: the action answers "a reason is required" in its own words.
    return serializers.CharField(required=True, allow_blank=True, trim_whitespace=False,
                                 validators=[TooLong(NOTE_MAX_LENGTH, _("A reason"))], **kwargs)


def note_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("default", "")
    return serializers.CharField(allow_blank=True, validators=[TooLong(NOTE_MAX_LENGTH, _("The note"))], **kwargs)


# ---------------------------------------------------------------------------------------------
# Output: the case
# ---------------------------------------------------------------------------------------------


class ReporterSerializer(serializers.Serializer):
    """The resident who reported, masked (138****1234, 张*)."""

    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    anonymous = serializers.BooleanField(source="reporter_anonymous")

    def get_name(self, case) -> str:
        return selectors.mask_name(case.reporter_name)

    def get_phone(self, case) -> str:
        return selectors.mask_phone(case.reporter_phone)


class AssignmentSerializer(serializers.ModelSerializer):
    """承办 — one handler of the case: lead or co-handler (吹哨报到)."""

    role_label = CalledField(source="get_role_display")
    kind = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    # Null where nobody did it (the system dispatched; nobody claimed it yet).
    assigned_by = serializers.StringRelatedField(allow_null=True)
    claimed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = CaseAssignment
        fields = ["id", "role", "role_label", "kind", "target", "active", "assigned_at", "assigned_by",
                  "claimed_by", "reported_in_at", "ended_at"]

    def get_kind(self, a) -> str:
        return "department" if a.department_id else "user" if a.user_id else "region"

    @extend_schema_field(RefSerializer)
    def get_target(self, a) -> dict:
        return {"id": a.department_id or a.user_id or a.region_id, "name": str(a.target)}


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "original_name", "content_type", "size", "url", "created_at"]

    def get_url(self, att) -> str:
        request = self.context.get("request")
        url = reverse("api:case-attachment", kwargs={"number": att.case.number, "attachment_id": att.pk})
        return request.build_absolute_uri(url) if request else url


# A date and time with its offset, as events keep them in their data ("due", "resolve_due_at").
STORED_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[+-]\d{2}:\d{2}|Z)")
DATETIME = serializers.DateTimeField()


def local_times(value):
    """``value`` (an event's data) with each date and time in it given as every datetime of the
    API is — in the platform's time zone (Asia/Shanghai, +08:00) — whatever offset it was stored
    with. Nothing else changes, and nothing stored does."""
    if isinstance(value, dict):
        return {key: local_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [local_times(item) for item in value]
    if isinstance(value, str) and STORED_DATETIME.fullmatch(value):
        try:
            return DATETIME.to_representation(dt.datetime.fromisoformat(value))
        except ValueError:  # the shape of a time, not a real one (month 13): left as it is
            return value
    return value


class LocalTimesJSONField(serializers.JSONField):
    def to_representation(self, value):
        return local_times(super().to_representation(value))


class EventSerializer(serializers.ModelSerializer):
    """One entry of the timeline (全程留痕)."""

    label = CalledField(source="get_type_display")
    data = LocalTimesJSONField(help_text="What changed (old → new values); dates and times in Asia/Shanghai.")
    actor = serializers.SerializerMethodField()
    actor_kind_label = CalledField(source="get_actor_kind_display")
    time = serializers.DateTimeField(source="created_at")
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "type", "label", "actor", "actor_kind", "actor_kind_label", "time", "from_status",
                  "to_status", "data", "note", "public", "attachments"]

    def get_actor(self, event) -> str:
        return str(event.actor) if event.actor_id else event.get_actor_kind_display()


class ExtensionDeadlinesSerializer(serializers.Serializer):
    """延期后时限 — where a waiting extension request would move the case's resolve deadline."""

    current = serializers.DateTimeField(help_text="The case's resolve deadline now.")
    if_granted = serializers.DateTimeField(
        help_text="The resolve deadline if the request is granted now: the current one moved by its working "
                  "days on the working-day calendar (holidays and make-up working days), as the approval sets it.")
    provisional = serializers.BooleanField(
        help_text="True when that deadline falls in a year whose working-day calendar is not loaded yet "
                  "(Monday–Friday rule until it is).")


@extend_schema_field(ExtensionDeadlinesSerializer(allow_null=True))
class ExtensionDeadlinesField(serializers.Field):
    """The deadlines of a request waiting for its decision; null once it is decided (the timeline's
    extension_approved event records what moved)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, request):
        deadlines = selectors.extension_deadlines(request)
        return None if deadlines is None else ExtensionDeadlinesSerializer(deadlines).data


EXTENSION_DEADLINES_HELP = ("While the request waits: the resolve deadline now and the one granting it would set; "
                            "null once decided.")


class QueueExtensionSerializer(serializers.Serializer):
    """An extension request waiting for the user's decision (the work queue)."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number", help_text="Case number")
    working_days = serializers.IntegerField()
    reason = serializers.CharField()
    requested_by = serializers.StringRelatedField()
    requested_at = serializers.DateTimeField()
    deadlines = ExtensionDeadlinesField(help_text=EXTENSION_DEADLINES_HELP)


class ExtensionRequestSerializer(serializers.ModelSerializer):
    status_label = CalledField(source="get_status_display")
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)
    deadlines = ExtensionDeadlinesField(help_text=EXTENSION_DEADLINES_HELP)

    class Meta:
        model = ExtensionRequest
        fields = ["id", "working_days", "reason", "status", "status_label", "requested_by", "requested_at",
                  "decided_by", "decided_at", "deadlines"]


class DeadlineSerializer(serializers.Serializer):
    """The deadline of one stage (accept, dispatch, resolve) and where the case stands on it."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField()
    due_at = serializers.DateTimeField()
    state = serializers.ChoiceField(
        choices=["running", "paused", "done", "waiting", "stopped"],
        help_text="running: the clock runs against this stage now; paused: suspended; done: stage completed; "
                  "waiting: not reached yet; stopped: the case ended before this stage.",
    )
    light = serializers.CharField(allow_null=True, help_text="green / amber / red while running")
    time_left_seconds = serializers.IntegerField(allow_null=True, help_text="Negative when overdue.")
    completed_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True)


# The per-stage rows are computed once for the API and the workbench (cases.selectors).
stage_deadlines = selectors.stage_deadlines


class CaseListSerializer(serializers.ModelSerializer):
    """A case as a row of the list (reporter masked)."""

    status_label = CalledField(source="get_status_display")
    channel_label = CalledField(source="get_channel_display")
    light_label = CalledField(source="get_light_display")
    current_level_label = CalledField(source="get_current_level_display")
    handling_type_label = CalledField(source="get_handling_type_display")
    category = CategoryRefSerializer(allow_null=True)
    grid = RefSerializer(allow_null=True)
    community = RefSerializer(allow_null=True)
    reporter = ReporterSerializer(source="*")
    lead = serializers.SerializerMethodField()
    lead_department = RefSerializer(allow_null=True, help_text="承办部门: the department of the most recent "
                                    "lead assignment (also after the case is resolved), or null.")

    class Meta:
        model = Case
        fields = ["number", "title", "status", "status_label", "channel", "channel_label", "category", "star",
                  "handling_type", "handling_type_label", "current_level", "current_level_label", "light",
                  "light_label", "grid", "community", "address", "reporter", "lead", "lead_department", "submitted_at",
                  "resolve_due_at", "resolved_at", "closed_at", "deadline_provisional"]

    @extend_schema_field(AssignmentSerializer(allow_null=True))
    def get_lead(self, case):
        lead = next((a for a in case.assignments.all() if a.active and a.role == AssignmentRole.LEAD), None)
        if lead is None:
            return None
        # One assignment serializer for the whole list (a list's rows share this serializer):
        # building its fields is most of what writing one assignment costs.
        if getattr(self, "_lead_serializer", None) is None:
            self._lead_serializer = AssignmentSerializer(context=self.context)
        return self._lead_serializer.to_representation(lead)


class RevisitSerializer(serializers.Serializer):
    """回访 (三看)."""

    revisited_at = serializers.DateTimeField(allow_null=True)
    lawful = serializers.BooleanField(source="revisit_lawful", allow_null=True)
    in_place = serializers.BooleanField(source="revisit_in_place", allow_null=True)
    accepted = serializers.BooleanField(source="revisit_accepted", allow_null=True)


class BlockedActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The action's name, as in available_actions.")
    reason = serializers.CharField(help_text="Why it cannot be taken yet, in the request's language.")


class CaseDetailSerializer(CaseListSerializer):
    """A case with its whole story: deadlines per stage, handlers, timeline, what you may do."""

    region = RefSerializer()
    subdistrict = RefSerializer(allow_null=True)
    sla_policy = RefSerializer()
    created_by = serializers.StringRelatedField(allow_null=True, help_text="Null when filed by a resident or "
                                                "an integration.")
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True,
                                               help_text="The case this one was merged into, or null.")
    source = serializers.CharField(read_only=True, help_text="The system the report came from, as it was filed "
                                   "(12345, wechat:…; api:<user id> under an Idempotency-Key), or blank.")
    external_id = serializers.CharField(read_only=True, help_text="Its id there (a 12345 order number), or blank.")
    source_due_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                              help_text="来源时限 the source set (a 12345 办理时限), or null.")
    satisfaction_label = CalledField(source="get_satisfaction_display")
    revisit = RevisitSerializer(source="*")
    deadlines = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True)
    extension_requests = ExtensionRequestSerializer(many=True)
    attachments = AttachmentSerializer(many=True)
    timeline = EventSerializer(many=True, source="events")
    available_actions = serializers.SerializerMethodField()
    blocked_actions = serializers.SerializerMethodField(
        help_text="The actions this user could take in the case's status but not yet on this case, each "
                  "with the reason in the request's language (a close before the revisit, a revisit "
                  "attempt with no phone to call).")
    can_reveal_reporter = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields, "description", "region", "subdistrict", "longitude", "latitude",
            "source", "external_id", "source_due_at", "sla_policy", "created_by", "accepted_at", "dispatched_at", "clock_started_at", "deadlines",
            "result", "revisit", "satisfaction", "satisfaction_label", "rating_comment", "rated_at",
            "reopen_count", "escalation_count", "urge_count", "merged_into", "assignments",
            "extension_requests", "attachments", "timeline", "available_actions", "blocked_actions",
            "can_reveal_reporter",
        ]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case):
        return DeadlineSerializer(stage_deadlines(case, timezone.now()), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, case) -> list[str]:
        return selectors.available_actions(self.context["request"].user, case)

    @extend_schema_field(BlockedActionSerializer(many=True))
    def get_blocked_actions(self, case) -> list[dict]:
        return [{"action": action, "reason": reason}
                for action, reason in selectors.blocked_actions(self.context["request"].user, case)]

    def get_can_reveal_reporter(self, case) -> bool:
        return permissions.may_reveal_reporter(self.context["request"].user, case)


class CaseCreatedSerializer(serializers.Serializer):
    """The answer to filing with ``Prefer: return=minimal``."""

    number = serializers.CharField()
    url = serializers.URLField()


class CaseChangeSerializer(CaseListSerializer):
    """A case as the list of changes gives it: the row of the list and when it last changed."""

    updated_at = serializers.DateTimeField(help_text="When the case last changed (the order of the list).")

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "updated_at"]


class CaseChangesSerializer(serializers.Serializer):
    """A page of changed cases, oldest change first, and where the next poll starts."""

    results = CaseChangeSerializer(many=True)
    cursor = serializers.CharField(help_text="Give it as `cursor` in the next request: the list carries on after "
                                             "the last case of this page (the same cursor as given when the page "
                                             "is empty). Keep it between polls.")
    more = serializers.BooleanField(help_text="True when more changes are waiting now: ask again at once.")
    next = serializers.URLField(help_text="This request with the next cursor.")


class RevealedReporterSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    anonymous = serializers.BooleanField()


# ---------------------------------------------------------------------------------------------
# Input: filing a case
# ---------------------------------------------------------------------------------------------


class ZonedDateTimeField(serializers.DateTimeField):
    """A date and time that must say its time zone (``+08:00``, ``Z``): one without is refused,
    not guessed."""

    default_error_messages = {"no_time_zone": _("Give a time with its time zone.")}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # not a real time: DRF's own message says so
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("no_time_zone")
        elif isinstance(value, dt.datetime) and timezone.is_naive(value):
            self.fail("no_time_zone")
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "description": "A registered channel: hotline, wechat, qr_page, web, "
                                                    "patrol, 12345, petition, property, department, api, "
                                                    "or one an app registered."})
class ChannelField(serializers.CharField):
    """A channel from the registry as it is now (apps register theirs at start-up)."""

    default_error_messages = {"invalid_choice": _("Unknown channel.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in channels:
            self.fail("invalid_choice")
        return value


class CaseCreateSerializer(InputSerializer):
    """受理登记 — a new case. Give the place as longitude + latitude (the grid is found) or as a
    region id (a community, grid, building or unit)."""

    channel = ChannelField(default=Channel.API, help_text="A registered channel (apps may add their own).")
    title = serializers.CharField(required=False, allow_blank=True, default="",
                                  validators=[TooLong(120, _("Title"))],
                                  help_text="Blank: the first 30 characters of the description.")
    description = serializers.CharField(allow_blank=True, validators=[TooLong(5000, _("Description"))])
    source = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32,
        help_text="The name of your system, under which its external_id values are kept. The platform's own "
                  "channels are refused (400, code reserved): a registered channel name alone or followed by "
                  "a colon (wechat:…, open311:…, patrol, api:…) and portal, report_join — except 12345 for "
                  "the linked 12345 system, i.e. a user who may import 12345 orders (an intake clerk or "
                  "dispatcher of the sub-district). Blank with an external_id: kept under the channel when "
                  "you may use its name (channel 12345 for the 12345 link), else under your own api:<user id>.")
    external_id = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100,
        help_text="Its id there (a 12345 order number…): a retry returns the case already filed (200, header "
                  "Idempotent-Replayed: true), whatever it carries; if that case is outside what you may see, "
                  "the answer is a 409 (code external_id_taken) and nothing is filed. The Idempotency-Key "
                  "header does the same for API clients.")
    dispatch_now = serializers.BooleanField(
        required=False, default=False,
        help_text="Accept and dispatch to the category's default department at once (热线一次派单).")
    category = CategoryField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True,
                                                default=None)
    address = serializers.CharField(required=False, allow_blank=True, default="",
                                    validators=[TooLong(200, _("Address"))])
    reporter_name = serializers.CharField(required=False, allow_blank=True, default="",
                                          validators=[TooLong(50, _("Name"))])
    reporter_phone = serializers.CharField(required=False, allow_blank=True, default="")
    reporter_anonymous = serializers.BooleanField(required=False, default=False)
    star = serializers.ChoiceField(choices=StarLevel.choices, required=False, allow_null=True, default=None)
    handling_type = serializers.ChoiceField(choices=HandlingType.choices, required=False, allow_null=True,
                                            default=None)
    source_due_at = ZonedDateTimeField(
        required=False, allow_null=True, default=None,
        help_text="来源时限: the deadline the sending system set, such as a 12345 order's 办理时限 (ISO 8601 with a "
                  "time zone, 2026-12-01T18:00:00+08:00). The case is never due later than it (also after a "
                  "reclassification); one already past starts the case red. A time without a time zone is a 400.")
    attachments = UploadsField()

    def validate_source(self, value):
        user = self.context["request"].user
        if value and not api_may_use_source(user, value):
            raise serializers.ValidationError(
                _("The source “%(source)s” is reserved for the platform's own channels: give the name of your own "
                  "system.")
                % {"source": source_namespace(value)}, code="reserved")
        return value

    def validate_source_due_at(self, value):
        if value is not None and not EARLIEST_DATE <= timezone.localdate(value) <= LATEST_DATE:
            raise serializers.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s.") % {
                    "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
                code="out_of_range")
        return value


class QueryDateTimeField(ZonedDateTimeField):
    """A ``ZonedDateTimeField`` in a query string, where an unencoded ``+08:00`` arrives as
    `` 08:00`` (a ``+`` in a URL is a space): read as the offset it was."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = re.sub(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) (\d{2}:?\d{2})$", r"\1+\2", value.strip())
        return super().to_internal_value(value)


class ChangesQuerySerializer(QueryInputSerializer):
    """The query of the list of changes."""

    updated_after = QueryDateTimeField(
        required=False, help_text="Cases changed after this moment (ISO 8601 with a time zone, "
                                  "2026-11-30T08:00:00+08:00). Omit it (and cursor) to start from the oldest change.")
    cursor = serializers.CharField(required=False, max_length=200,
                                   help_text="The cursor the previous answer gave: carries on exactly after it.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)
    source = serializers.CharField(required=False, max_length=32,
                                   help_text="Only the cases filed under this source (12345: the orders of a "
                                             "12345 link).")

    def validate_updated_after(self, value):
        if not EARLIEST_DATE <= timezone.localdate(value) <= LATEST_DATE:
            raise serializers.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s.") % {
                    "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
                code="out_of_range")
        return value

    def validate(self, data):
        if "updated_after" in data and "cursor" in data:
            raise serializers.ValidationError(
                {"cursor": _("Give updated_after for the first request and cursor after it, not both.")},
                code="invalid")
        return data


# ---------------------------------------------------------------------------------------------
# Input: one serializer per action
# ---------------------------------------------------------------------------------------------


class CallerSearchSerializer(InputSerializer):
    """The body of a caller look-up: the phone goes here, never into a URL."""

    phone = serializers.CharField(max_length=40, help_text="The caller's whole phone number: a mobile (13812341234) "
                                                           "or a landline with its area code; spaces, dashes and "
                                                           "+86 allowed.")


class NoteSerializer(InputSerializer):
    note = note_field()


class ReasonSerializer(InputSerializer):
    reason = reason_field()


class AgreeDeadlineSerializer(InputSerializer):
    """议定时限: the resolve deadline agreed at a consultation, and where it was agreed."""

    due_at = ZonedDateTimeField(help_text="The agreed resolve deadline: ISO 8601 with a time zone "
                                          "(2026-03-01T18:00:00+08:00); one without a time zone is a 400.")
    reason = reason_field()


class ClassifySerializer(InputSerializer):
    category = CategoryField(required=False, allow_null=True, default=None)
    star = serializers.ChoiceField(choices=StarLevel.choices, required=False, allow_null=True, default=None)
    handling_type = serializers.ChoiceField(choices=HandlingType.choices, required=False, allow_null=True,
                                            default=None)
    note = note_field()


class TargetSerializer(InputSerializer):
    """Whom to dispatch to: exactly one of a department, a person or a community/grid."""

    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True, default=None)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True,
                                              default=None)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True,
                                                default=None)


class DispatchSerializer(InputSerializer):
    """派单 / 转派: a lead and, for joint handling (吹哨报到), co-handlers."""

    lead = TargetSerializer()
    co_handlers = TargetSerializer(many=True, required=False, default=list, max_length=30)
    note = note_field()


class ProgressSerializer(InputSerializer):
    note = note_field(required=True, default=serializers.empty)
    public = serializers.BooleanField(required=False, default=False,
                                      help_text="Show this note on the resident's tracking page.")
    attachments = UploadsField()


class RequestExtensionSerializer(InputSerializer):
    working_days = serializers.IntegerField(min_value=1, max_value=30)
    reason = reason_field()


class ResolveSerializer(InputSerializer):
    result = serializers.CharField(allow_blank=True, help_text="The answer the resident will be told.",
                                   validators=[TooLong(RESULT_MAX_LENGTH, _("The result"))])
    attachments = UploadsField(help_text="Photos of the result (JPEG, PNG, WebP, GIF).")
    without_report_in = serializers.CharField(
        required=False, allow_blank=True, default="", validators=[TooLong(NOTE_MAX_LENGTH, _("A reason"))],
        help_text="Required while a co-handler summoned to the case (吹哨) has not reported in (报到): why the lead "
                  "resolves without them (recorded with their names); a 400 names them when it is missing.")


class CloseSerializer(InputSerializer):
    """结案: after the revisit (三看), or with the reason there is none."""

    note = note_field()
    without_revisit = serializers.ChoiceField(
        choices=NoRevisit.choices, required=False, allow_blank=True, default="",
        help_text="Only when the current answer was not revisited: no_contact (no phone number was left) or "
                  "unreachable (the callbacks recorded through revisit-attempt did not reach the resident); "
                  "a reason that does not hold for the case is a 400.")
    rating_declined = serializers.BooleanField(
        required=False, default=False,
        help_text="After a revisit without a rating: the resident declined to rate (recorded); else a 400.")


class RevisitInputSerializer(InputSerializer):
    """回访 (三看)."""

    lawful = serializers.BooleanField(help_text="Handled according to law.")
    in_place = serializers.BooleanField(help_text="Measures really in place.")
    accepted = serializers.BooleanField(help_text="The resident understands and accepts.")
    note = note_field()


class RateSerializer(InputSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="",
                                    validators=[TooLong(1000, _("The comment"))])


class MergeSerializer(InputSerializer):
    into = serializers.CharField(max_length=20, help_text="Number of the case that carries on.")
    note = note_field()


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = ["id", "name", "accept_value", "accept_unit", "dispatch_value", "dispatch_unit",
                  "resolve_value", "resolve_unit", "amber_ratio", "escalate_when_overdue", "is_default"]


class CategorySerializer(serializers.ModelSerializer):
    """事件分类 — one node of the tree with the defaults a new case takes."""

    default_department = RefSerializer(allow_null=True)
    handling_type_label = CalledField(source="get_handling_type_display")
    effective_sla_policy = serializers.SerializerMethodField(
        help_text="The category's policy, else its nearest ancestor's, else the default policy.")
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "resident_label", "keywords", "default_department", "default_star",
                  "handling_type", "handling_type_label", "sla_policy", "effective_sla_policy", "is_active",
                  "depth", "children"]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_effective_sla_policy(self, category):
        policy = self.context["effective_policy"](category)
        return {"id": policy.pk, "name": policy.name} if policy else None

    def get_children(self, category):
        """The same shape, nested."""
        return CategorySerializer(self.context["children"].get(category.path, []), many=True,
                                  context=self.context).data


# The tree nests the same shape (a recursive schema component).
extend_schema_field(CategorySerializer(many=True))(CategorySerializer.get_children)
