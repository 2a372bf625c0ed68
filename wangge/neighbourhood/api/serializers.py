from __future__ import annotations

from rest_framework import serializers

from wangge.core.api import InputSerializer
from wangge.core.http import MAX_ROW_ID
from wangge.residents.masking import mask_name, mask_phone

from ..choices import (
    ChiefKind,
    CompoundType,
    NeedScope,
    NeedSource,
    ResourceTier,
    SelectionMethod,
)
from ..models import (
    Chief,
    Need,
    NeedClass,
    PublishedScore,
    RatingPeriod,
    Resource,
    ServiceRecord,
)


def Id(**kwargs) -> serializers.IntegerField:  # noqa: N802 — reads like a field class
    """A row id: a positive 64-bit integer (anything else is a 400, never an overflow)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID, **kwargs)


class NeighbourhoodConfirmSerializer(InputSerializer):
    """No input needed: the POST itself is the request (publish, show the contact)."""

    confirm = serializers.BooleanField(required=False, default=True)


class NeedClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = NeedClass
        fields = ["id", "code", "name"]


class ChiefSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    name = serializers.SerializerMethodField()
    chief_kind = serializers.ChoiceField(source="kind", choices=ChiefKind.choices, read_only=True)

    class Meta:
        model = Chief
        fields = ["id", "chief_kind", "region", "region_name", "community", "name", "is_party_member", "selection_method",
                  "compound_type", "term_start", "term_end", "appointed_at", "ended_at"]

    def get_name(self, obj) -> str:
        # A volunteer's name is personal data: masked in the API like every resident's.
        return mask_name(obj.name) if obj.resident_id else obj.name


class AppointChiefSerializer(InputSerializer):
    region = Id()
    user = Id(required=False, help_text="A staff member (or give name and phone).")
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                  help_text="A volunteer resident's phone: they get a limited account.")
    selection_method = serializers.ChoiceField(choices=SelectionMethod.choices)
    compound_type = serializers.ChoiceField(choices=CompoundType.choices, required=False, allow_blank=True)
    is_party_member = serializers.BooleanField(required=False, default=False)
    term_start = serializers.DateField()
    term_end = serializers.DateField(required=False, allow_null=True)
    selection_note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ChiefEndTermSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200)


class NeedSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    need_class_name = serializers.CharField(source="need_class.name", read_only=True)

    class Meta:
        model = Need
        fields = ["id", "reference", "need_class", "need_class_name", "description", "source", "scope", "status",
                  "level", "region", "community", "chief", "questionnaire", "meeting_ref", "resource", "case_number",
                  "merged_into", "household_count", "raised_at", "met_at", "escalated_at"]


class RaiseNeedSerializer(InputSerializer):
    need_class = Id()
    description = serializers.CharField(max_length=2000)
    source = serializers.ChoiceField(choices=NeedSource.choices)
    scope = serializers.ChoiceField(choices=NeedScope.choices, required=False, default=NeedScope.INDIVIDUAL)
    region = Id()
    household = Id(required=False, allow_null=True)
    meeting_ref = serializers.CharField(required=False, allow_blank=True, max_length=100)


class NeedNoteSerializer(InputSerializer):
    note = serializers.CharField(max_length=500)


class NeedOptionalNoteSerializer(InputSerializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class NeedMatchSerializer(NeedOptionalNoteSerializer):
    resource = Id()


class NeedServeSerializer(InputSerializer):
    resource = Id()
    description = serializers.CharField(max_length=500)
    chief = Id(required=False, allow_null=True)
    household = Id(required=False, allow_null=True)
    served_at = serializers.DateTimeField(required=False, allow_null=True)


class NeedToCaseSerializer(NeedOptionalNoteSerializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)


class NeedMergeSerializer(NeedOptionalNoteSerializer):
    others = serializers.ListField(child=Id(), min_length=1, max_length=100)


class ResourceProposalSerializer(serializers.Serializer):
    resource = Id(source="resource.pk")
    name = serializers.CharField(source="resource.name")
    tier = serializers.CharField(source="resource.tier")
    distance_m = serializers.FloatField(allow_null=True)
    score = serializers.FloatField()
    matched = serializers.ListField(child=serializers.CharField(),
                                    help_text="The words of what the resource offers that the need's description names")
    chosen = serializers.BooleanField(help_text="The resource the need is matched to")


class ResourceSerializer(serializers.ModelSerializer):
    contact_name = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = ["id", "name", "provider", "tier", "classes", "offers", "area", "capacity", "hours", "address", "longitude",
                  "latitude", "linked_by", "is_active", "contact_name", "contact_phone"]

    def get_contact_name(self, obj) -> str:
        return mask_name(obj.contact_name)

    def get_contact_phone(self, obj) -> str:
        return mask_phone(obj.contact_phone)


class CreateResourceSerializer(InputSerializer):
    name = serializers.CharField(max_length=100)
    provider = serializers.CharField(max_length=100)
    tier = serializers.ChoiceField(choices=ResourceTier.choices)
    classes = serializers.ListField(child=Id(), min_length=1, max_length=20)
    offers = serializers.CharField(max_length=300, required=False, allow_blank=True)
    area = Id()
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    hours = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    linked_by = Id(required=False, allow_null=True)


class ResourceContactSerializer(serializers.Serializer):
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRecord
        fields = ["id", "need", "resource", "chief", "household", "description", "served_at", "tier", "need_class",
                  "region", "community", "recorded_at"]


class PublishedScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishedScore
        fields = ["target", "service", "chief", "resource", "name", "ratings", "total", "score"]


class QuarterSerializer(serializers.ModelSerializer):
    scores = PublishedScoreSerializer(many=True, read_only=True)

    class Meta:
        model = RatingPeriod
        fields = ["id", "subdistrict", "year", "quarter", "min_ratings", "status", "formula", "reviewed_at",
                  "published_at", "scores"]


class QuarterReviewSerializer(InputSerializer):
    subdistrict = Id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    min_ratings = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=3)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ChiefCoverageSerializer(serializers.Serializer):
    community = serializers.IntegerField(source="community.pk")
    grids = serializers.IntegerField()
    buildings = serializers.IntegerField()
    units = serializers.IntegerField()
    grids_without = serializers.SerializerMethodField()
    buildings_without = serializers.SerializerMethodField()
    units_without = serializers.SerializerMethodField()

    def _rows(self, regions) -> list[dict]:
        return [{"id": r.pk, "name": r.name} for r in regions]

    def get_grids_without(self, obj) -> list[dict]:
        return self._rows(obj.grids_without)

    def get_buildings_without(self, obj) -> list[dict]:
        return self._rows(obj.buildings_without)

    def get_units_without(self, obj) -> list[dict]:
        return self._rows(obj.units_without)
