"""The key-person API's shapes. Personal fields are masked here; the full view is the reveal
endpoint (logged). Input serializers only parse: the actions validate."""

from __future__ import annotations

from rest_framework import serializers

from wangge.core.api import InputSerializer

from ..choices import AttendanceKind, HelpNeeded, Mood, QuickReportKind
from ..masking import mask_address, mask_id_number, mask_name, mask_phone
from ..models import Attendance, KeyPerson, KeyPersonTag, QuickReport, Visit


class KeyPersonTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyPersonTag
        fields = ["id", "code", "name", "frequency", "is_active"]


class KeyPersonSerializer(serializers.ModelSerializer):
    """A key person, masked: name 张*, phone 138****1234, ID 110105********1234, address 东园小区****."""

    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    tags = KeyPersonTagSerializer(many=True, read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    worker_name = serializers.SerializerMethodField()

    class Meta:
        model = KeyPerson
        fields = ["id", "name", "phone", "id_number", "address", "tags", "grid", "grid_name", "community", "worker",
                  "worker_name", "notes", "registered_at", "is_active", "retired_at", "retire_reason"]

    def get_name(self, obj) -> str:
        return mask_name(obj.name)

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_address(self, obj) -> str:
        return mask_address(obj.address)

    def get_worker_name(self, obj) -> str:
        return str(obj.worker) if obj.worker_id else ""


class KeyPersonCreateSerializer(InputSerializer):
    grid = serializers.IntegerField()
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    worker = serializers.IntegerField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class KeyPersonRevealSerializer(InputSerializer):
    purpose = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class KeyPersonRevealedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()


class KeyPersonRetireSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class KeyPersonVisitSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.__str__", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)

    class Meta:
        model = Visit
        fields = ["id", "key_person", "worker", "worker_name", "visited_at", "place", "found", "mood", "help_needed",
                  "need_note", "case", "case_number"]
        read_only_fields = fields


class KeyPersonVisitCreateSerializer(InputSerializer):
    visited_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    found = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    mood = serializers.ChoiceField(choices=Mood.choices, required=False, default=Mood.STABLE)
    help_needed = serializers.ChoiceField(choices=HelpNeeded.choices, required=False, default=HelpNeeded.NONE,
                                          help_text=Visit._meta.get_field("help_needed").help_text)
    need_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                      help_text=Visit._meta.get_field("need_note").help_text)


class KeyPersonDueSerializer(serializers.Serializer):
    person = KeyPersonSerializer()
    frequency = serializers.CharField()
    status = serializers.ChoiceField(choices=["done", "due", "overdue"])
    due_by = serializers.DateField()
    overdue_days = serializers.IntegerField()
    last_visit = serializers.DateTimeField(allow_null=True)


class KeyPersonCoverageRowSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()
    persons = serializers.SerializerMethodField()
    expected = serializers.IntegerField()
    done = serializers.IntegerField()
    missing = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)

    def get_persons(self, obj) -> int:
        return len(obj.persons)


class KeyPersonCoverageSerializer(serializers.Serializer):
    month = serializers.CharField()
    by = serializers.CharField()
    rows = KeyPersonCoverageRowSerializer(many=True)
    total = KeyPersonCoverageRowSerializer()


class KeyPersonAttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "kind", "worker", "grid", "key_person", "at", "place", "note"]
        read_only_fields = fields


class KeyPersonAttendanceCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=AttendanceKind.choices)
    grid = serializers.IntegerField(required=False, allow_null=True, default=None)
    key_person = serializers.IntegerField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class KeyPersonQuickReportSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)

    class Meta:
        model = QuickReport
        fields = ["id", "kind", "worker", "grid", "at", "place", "note", "longitude", "latitude", "case",
                  "case_number", "routed_to", "notified"]
        read_only_fields = fields


class KeyPersonQuickReportCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=QuickReportKind.choices)
    grid = serializers.IntegerField(required=False, allow_null=True, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
