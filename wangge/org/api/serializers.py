"""Territory, departments, the signed-in user and their notifications, as the API shows them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wangge.core.api import InputSerializer, QueryInputSerializer
from wangge.notifications.models import Notification

from .. import scope
from ..models import Department, Region, RoleAssignment, User


class RegionRefSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = Region
        fields = ["id", "name", "code", "level", "level_label"]


class RegionSerializer(serializers.ModelSerializer):
    """辖区 — one node of the territory tree (city → district → sub-district → community → grid →
    building → unit)."""

    level_label = serializers.CharField(source="get_level_display")
    grid_type_label = serializers.CharField(source="get_grid_type_display")
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True,
                                      help_text="Id of the parent node (null for the root).")
    children_count = serializers.IntegerField(source="numchild")
    has_boundary = serializers.BooleanField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "name", "code", "level", "level_label", "grid_type", "grid_type_label", "is_active",
                  "retired_at", "depth", "parent", "children_count", "has_boundary"]


class RegionDetailSerializer(RegionSerializer):
    ancestors = serializers.SerializerMethodField()

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "ancestors", "boundary"]

    @extend_schema_field(RegionRefSerializer(many=True))
    def get_ancestors(self, region):
        return RegionRefSerializer(Region.objects.get_ancestors(region), many=True).data


class GridLookupQuerySerializer(QueryInputSerializer):
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS84)")
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS84)")


class GridFeaturesQuerySerializer(QueryInputSerializer):
    within = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False,
                                                help_text="Only grids under this node (e.g. a community).")


class GridLookupSerializer(serializers.Serializer):
    """The grid a point falls in (坐标落格), with the nodes above it."""

    grid = RegionRefSerializer()
    community = RegionRefSerializer(allow_null=True)
    subdistrict = RegionRefSerializer(allow_null=True)


class GeoFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.IntegerField()
    geometry = serializers.JSONField(help_text="GeoJSON Polygon or MultiPolygon (WGS84)")
    properties = serializers.DictField(help_text="id, name, code, grid_type, community {id, name}")


class GeoFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = GeoFeatureSerializer(many=True)


class DepartmentSerializer(serializers.ModelSerializer):
    """职能部门 / 科室."""

    kind_label = serializers.CharField(source="get_kind_display")
    region = RegionRefSerializer()

    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind", "kind_label", "region", "phone", "is_active"]


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code"]


class RoleSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    region = RegionRefSerializer(allow_null=True)
    department = DepartmentRefSerializer(allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "region", "department"]


class MeSerializer(serializers.ModelSerializer):
    """The signed-in staff member: roles and jurisdictions (辖区 / 部门)."""

    display = serializers.CharField(source="__str__")
    roles = RoleSerializer(many=True, source="role_assignments")
    can_file_cases = serializers.SerializerMethodField()
    can_see_reporter = serializers.SerializerMethodField()
    unread_notifications = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display", "display_name", "is_superuser", "roles", "can_file_cases",
                  "can_see_reporter", "unread_notifications"]

    def get_can_file_cases(self, user) -> bool:
        return scope.can_file_cases(user)

    def get_can_see_reporter(self, user) -> bool:
        return scope.can_see_reporter(user)

    def get_unread_notifications(self, user) -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


class NotificationSerializer(serializers.ModelSerializer):
    """站内通知."""

    kind_label = serializers.CharField(source="get_kind_display")
    subject_type = serializers.SerializerMethodField(help_text="app_label.model of what it is about, or null")
    case = serializers.SerializerMethodField(help_text="The case number, when it is about a case")

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "message", "subject_type", "subject_id", "url", "case", "created_at",
                  "read_at"]

    def get_subject_type(self, obj) -> str | None:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}" if obj.subject_type_id else None

    def get_case(self, obj) -> str | None:
        if obj.subject_type_id and (obj.subject_type.app_label, obj.subject_type.model) == ("cases", "case"):
            return getattr(obj.subject, "number", None)
        return None


class MarkReadSerializer(InputSerializer):
    # Ids are 64-bit: a larger number would overflow the database driver (a 500, not a 400).
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                allow_null=True,
                                max_length=1000, default=None,
                                help_text="Notifications to mark read; omit to mark all of yours read.")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
