"""API shapes of the patrols app (input serializers check types only; the actions decide)."""

from __future__ import annotations

from rest_framework import serializers

from wangge.cases.models import Category
from wangge.core.api import InputSerializer
from wangge.org.models import Region, User

from ..choices import FindingClass, Frequency, PointClass, Presence
from ..models import CheckIn, Finding, GridOfficer, PatrolPoint, VisitSlot


class PatrolPointSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = PatrolPoint
        fields = ["id", "name", "point_class", "frequency", "address", "latitude", "longitude", "grid", "grid_name",
                  "community", "responsible", "is_active", "active_from", "plate_token"]
        read_only_fields = fields


class PatrolPointInputSerializer(InputSerializer):
    grid = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    name = serializers.CharField(max_length=100)
    point_class = serializers.ChoiceField(choices=PointClass.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_null=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class PatrolPointChangeSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    point_class = serializers.ChoiceField(choices=PointClass.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    latitude = serializers.FloatField(required=False)
    longitude = serializers.FloatField(required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class VisitSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitSlot
        fields = ["id", "point", "frequency", "window_start", "window_end", "status", "checkin", "done_at",
                  "cancel_reason"]
        read_only_fields = fields


class PatrolDueVisitSerializer(serializers.Serializer):
    slot_id = serializers.IntegerField()
    point_id = serializers.IntegerField()
    name = serializers.CharField()
    point_class = serializers.ChoiceField(choices=PointClass.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    distance_m = serializers.FloatField(allow_null=True)
    overdue_since = serializers.DateField(allow_null=True)


class PatrolTodaySerializer(serializers.Serializer):
    day = serializers.DateField()
    done = serializers.IntegerField()
    due = PatrolDueVisitSerializer(many=True)
    overdue = PatrolDueVisitSerializer(many=True)


class SlotCancelSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200)


class PatrolCheckInSerializer(serializers.ModelSerializer):
    point_name = serializers.CharField(source="point.name", read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "client_id", "point", "point_name", "slot", "worker", "client_time", "received_at",
                  "latitude", "longitude", "accuracy", "presence", "distance_m", "is_far", "is_late", "notes", "grid"]
        read_only_fields = fields


class PatrolCheckInInputSerializer(InputSerializer):
    client_id = serializers.UUIDField(help_text="Made by the phone; a resend with the same id creates nothing new.")
    point = serializers.IntegerField()
    client_time = serializers.DateTimeField(help_text="When the check-in was made on the phone (kept, within limits).")
    presence = serializers.ChoiceField(choices=Presence.choices, default=Presence.GPS)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    accuracy = serializers.FloatField(required=False, allow_null=True)
    plate_token = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class PatrolFindingSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_status = serializers.CharField(source="case.status", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "client_id", "checkin", "point", "worker", "handling_class", "description", "case_number",
                  "case_status", "on_the_spot", "created_at", "grid"]
        read_only_fields = fields


class PatrolFindingInputSerializer(InputSerializer):
    client_id = serializers.UUIDField(required=False)
    checkin = serializers.IntegerField()
    description = serializers.CharField(max_length=5000)
    handling_class = serializers.ChoiceField(choices=FindingClass.choices)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    result = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="",
                                   help_text="General (on the spot): what the worker did.")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class PatrolFigureRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    checkins = serializers.IntegerField()
    findings = serializers.IntegerField()
    on_the_spot = serializers.IntegerField()
    patrol_cases = serializers.IntegerField()
    resident_cases = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    findings_per_patrol = serializers.FloatField(allow_null=True)


class PatrolFiguresSerializer(serializers.Serializer):
    by = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    rows = PatrolFigureRowSerializer(many=True)
    total = PatrolFigureRowSerializer()


class GridOfficerSerializer(serializers.ModelSerializer):
    role_name = serializers.CharField(source="role.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = GridOfficer
        fields = ["id", "grid", "user", "user_name", "department", "department_name", "role", "role_name",
                  "is_active"]
        read_only_fields = fields


class GridWhistleSerializer(InputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
