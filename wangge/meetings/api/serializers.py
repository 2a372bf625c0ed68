"""API shapes of meetings. Outside representatives' phones are masked; names of residents never appear."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wangge.cases.models import Category
from wangge.core.api import InputModelSerializer, InputSerializer
from wangge.org.models import Department, Region

from ..choices import Decision, MeetingKind, MeetingLevel, RepresentativeRole
from ..models import AgendaItem, Meeting, MeetingEvent, Minutes, Participant, Topic


class MeetingParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "kind", "user", "department", "name", "role", "organisation", "phone"]


class MeetingItemSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)
    lead_department = serializers.StringRelatedField()
    co_departments = serializers.StringRelatedField(many=True)
    departments_reported = serializers.StringRelatedField(many=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "case", "topic", "carried_from", "is_dispute", "notes", "decision",
                  "outcome", "lead_department", "co_departments", "deadline", "decided_at", "escalated",
                  "departments_reported"]


class MeetingEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = MeetingEvent
        fields = ["type", "actor", "item", "note", "data", "created_at"]


class MeetingSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    convener = serializers.StringRelatedField()

    class Meta:
        model = Meeting
        fields = ["id", "title", "kind", "level", "region", "region_name", "convener", "scheduled_at", "place",
                  "status", "agenda_published_at", "held_at", "schedule"]


class MeetingDetailSerializer(MeetingSerializer):
    participants = MeetingParticipantSerializer(many=True, read_only=True)
    items = serializers.SerializerMethodField()
    events = MeetingEventSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "participants", "items", "events"]

    @extend_schema_field(MeetingItemSerializer(many=True))
    def get_items(self, meeting) -> list[dict]:
        return MeetingItemSerializer(self.context["items"], many=True).data


class MeetingCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    level = serializers.ChoiceField(choices=MeetingLevel.choices)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    scheduled_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)


class MeetingItemAddSerializer(InputSerializer):
    case = serializers.CharField(required=False, help_text=pgettext_lazy("meetings", "Case number"))
    topic = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    is_dispute = serializers.BooleanField(required=False, default=False)


class MeetingParticipantAddSerializer(InputSerializer):
    user = serializers.IntegerField(required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    role = serializers.ChoiceField(choices=RepresentativeRole.choices, required=False, allow_blank=True)
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)


class MeetingDecisionSerializer(InputSerializer):
    decision = serializers.ChoiceField(choices=[c for c in Decision.choices if c[0]])
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    lead_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                         allow_null=True)
    co_departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    resolve = serializers.BooleanField(required=False, default=False)
    # A topic's plan is filed as a case under this category (required for a plan on a topic).
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True), required=False,
                                                  allow_null=True)


class MeetingTopicSerializer(InputModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "region", "title", "description", "status", "is_dispute", "raised_by_resident", "case",
                  "vet_note", "created_at"]
        read_only_fields = ["status", "raised_by_resident", "vet_note", "created_at", "case"]


class MeetingVetSerializer(InputSerializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class MeetingTextSerializer(InputSerializer):
    text = serializers.CharField(max_length=5000)


class MeetingMinutesSerializer(serializers.ModelSerializer):
    signed_by = serializers.StringRelatedField()

    class Meta:
        model = Minutes
        fields = ["id", "kind", "status", "amends", "summary", "items", "signed_by", "finalised_at"]


class MeetingLedgerRowSerializer(serializers.Serializer):
    number = serializers.CharField(source="case.number")
    title = serializers.CharField(source="case.title")
    star = serializers.IntegerField(source="case.star")
    status = serializers.CharField(source="case.status")
    departments = serializers.ListField(child=serializers.CharField())
    request = serializers.CharField()
    plan = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    on_agenda = serializers.BooleanField()


class MeetingFiguresSerializer(serializers.Serializer):
    meetings = serializers.IntegerField()
    by_month = serializers.ListField(child=serializers.DictField())
    items = serializers.IntegerField()
    solved = serializers.IntegerField()
    plans = serializers.IntegerField()
    escalated = serializers.IntegerField()
    deferred = serializers.IntegerField()
    disputes_mediated = serializers.IntegerField()
