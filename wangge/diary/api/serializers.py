from __future__ import annotations

from rest_framework import serializers

from wangge.core.api import InputSerializer

from ..choices import NoteSection
from ..models import DiaryDay, DiaryNote


class DiaryNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = DiaryNote
        fields = ["id", "section", "text", "is_correction", "written_at", "author", "author_name"]
        read_only_fields = fields


class DiaryDayRowSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.__str__", read_only=True)

    class Meta:
        model = DiaryDay
        fields = ["id", "worker", "worker_name", "day", "grid", "status", "weather", "closed_at", "signed_by",
                  "signed_at", "sign_note"]
        read_only_fields = fields


class DiaryLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    source = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    extra = serializers.DictField()


class DiaryDayViewSerializer(serializers.Serializer):
    worker = serializers.IntegerField(source="worker.pk")
    day = serializers.DateField()
    status = serializers.CharField()
    row = DiaryDayRowSerializer(allow_null=True)
    lines = DiaryLineSerializer(many=True)
    notes = DiaryNoteSerializer(many=True)


class DiaryNoteCreateSerializer(InputSerializer):
    day = serializers.DateField()
    text = serializers.CharField(max_length=2000, allow_blank=True)
    section = serializers.ChoiceField(choices=NoteSection.choices, default=NoteSection.WORK)


class DiaryCorrectionSerializer(InputSerializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)
    section = serializers.ChoiceField(choices=NoteSection.choices, default=NoteSection.NOTE)


class DiarySignSerializer(InputSerializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
