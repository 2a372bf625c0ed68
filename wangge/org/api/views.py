"""Territory, departments, the signed-in user and notifications (tokens: ``tokens.py``).

Reference data (the territory tree, grids, departments) is readable by every signed-in staff
member: dispatching and filing need it, and it holds no personal data.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import error_responses
from wangge.core.filters import StrictBooleanFilter
from wangge.notifications import services as notification_services
from wangge.notifications.models import Notification

from .. import geo
from ..choices import DepartmentKind, GridType, RegionLevel
from ..models import Department, Region
from . import serializers as s


def with_parent(queryset):
    """Annotate each node with its parent's id and name, in the same query (no N+1)."""
    parent = Region.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Region.steplen)
    )
    return queryset.annotate(
        parent_id=Subquery(parent.values("pk")[:1]), parent_name=Subquery(parent.values("name")[:1])
    )


class RegionFilterSet(filters.FilterSet):
    level = filters.MultipleChoiceFilter(choices=RegionLevel.choices, label=gettext_lazy("Territory level"))
    grid_type = filters.ChoiceFilter(choices=GridType.choices, label=gettext_lazy("Grid type"))
    parent = filters.NumberFilter(method="filter_parent", label=gettext_lazy("Children of this node"))
    within = filters.NumberFilter(method="filter_within", label=gettext_lazy("Everything under this node"))
    is_active = StrictBooleanFilter(label=gettext_lazy("Is active"))
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=gettext_lazy("Name contains"))

    class Meta:
        model = Region
        fields: list[str] = []

    def _node(self, value) -> Region | None:
        """The node with this id (a Decimal from the form), or None for anything that is not one."""
        if value is None or not value.is_finite() or value != value.to_integral_value() or not 0 < value < 2**63:
            return None
        return Region.objects.filter(pk=int(value)).first()

    def filter_parent(self, queryset, name, value):
        node = self._node(value)
        if node is None:
            return queryset.none()
        return queryset.filter(path__startswith=node.path, depth=node.depth + 1)

    def filter_within(self, queryset, name, value):
        node = self._node(value)
        if node is None:
            return queryset.none()
        return queryset.filter(path__startswith=node.path, depth__gt=node.depth)


@extend_schema_view(
    list=extend_schema(summary="Territory tree nodes", description="Filter by level, parent (children of a node) "
                       "or within (a whole subtree). Ordered as the tree is (depth first).",
                       responses={200: s.RegionSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One territory node, with its ancestors and boundary",
                           responses={200: s.RegionDetailSerializer, **error_responses(404)}),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """辖区 — the territory tree."""

    # Lists leave the polygons in the database; `has_boundary` is asked of it instead.
    queryset = with_parent(Region.objects.order_by("path")).annotate(
        has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
    )
    serializer_class = s.RegionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegionFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if self.action == "retrieve" else qs.defer("boundary")

    def get_serializer_class(self):
        return s.RegionDetailSerializer if self.action == "retrieve" else s.RegionSerializer


class GridFeaturesView(APIView):
    """All active grids as one GeoJSON FeatureCollection (for maps)."""

    @extend_schema(
        summary="Active grids as GeoJSON",
        parameters=[s.GridFeaturesQuerySerializer],
        responses={(200, "application/geo+json"): s.GeoFeatureCollectionSerializer, **error_responses(400)},
        operation_id="grids_geojson",
    )
    def get(self, request):
        query = s.GridFeaturesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        grids = with_parent(Region.objects.filter(level=RegionLevel.GRID, is_active=True, boundary__isnull=False))
        within = query.validated_data.get("within")
        if within is not None:
            grids = grids.filter(path__startswith=within.path)
        features = []
        for g in grids.order_by("path").values("pk", "name", "code", "grid_type", "boundary", "parent_id",
                                                 "parent_name"):
            geometry = g["boundary"]
            if isinstance(geometry, dict) and geometry.get("type") == "Feature":
                geometry = geometry.get("geometry")
            features.append({
                "type": "Feature",
                "id": g["pk"],
                "geometry": geometry,
                "properties": {
                    "id": g["pk"], "name": g["name"], "code": g["code"], "grid_type": g["grid_type"],
                    "community": {"id": g["parent_id"], "name": g["parent_name"]},
                },
            })
        return Response({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")


class GridLookupView(APIView):
    """坐标落格 — which grid a point falls in."""

    @extend_schema(
        summary="Find the grid containing a point",
        parameters=[s.GridLookupQuerySerializer],
        responses={200: s.GridLookupSerializer, **error_responses(400, 404)},
        operation_id="grids_lookup",
    )
    def get(self, request):
        query = s.GridLookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        grid = geo.find_grid(query.validated_data["lng"], query.validated_data["lat"])
        if grid is None:
            raise NotFound(_("No grid contains this point."))
        above = {node.level: node for node in Region.objects.get_ancestors(grid)}
        data = {"grid": grid, "community": above.get(RegionLevel.COMMUNITY),
                "subdistrict": above.get(RegionLevel.SUBDISTRICT)}
        return Response(s.GridLookupSerializer(data).data)


class DepartmentFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DepartmentKind.choices, label=gettext_lazy("Department kind"))
    is_active = StrictBooleanFilter(label=gettext_lazy("Is active"))

    class Meta:
        model = Department
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Departments and sections",
                       responses={200: s.DepartmentSerializer(many=True), **error_responses(400)}),
    retrieve=extend_schema(summary="One department", responses={200: s.DepartmentSerializer,
                                                                **error_responses(404)}),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """职能部门 / 科室 — where cases are dispatched."""

    queryset = Department.objects.select_related("region").order_by("kind", "name")
    serializer_class = s.DepartmentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DepartmentFilterSet
    pagination_class = None


class MeView(APIView):
    @extend_schema(summary="The signed-in user: roles and jurisdictions",
                   responses={200: s.MeSerializer, **error_responses()})
    def get(self, request):
        return Response(s.MeSerializer(request.user).data)


class NotificationFilterSet(filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", label=gettext_lazy("Unread only"))

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema(summary="Your notifications, newest first",
               responses={200: s.NotificationSerializer(many=True), **error_responses(400, 404)})
class NotificationListView(generics.ListAPIView):
    """站内通知 — only your own."""

    serializer_class = s.NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilterSet
    queryset = Notification.objects.none()

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).select_related("subject_type").prefetch_related("subject")


class NotificationMarkReadView(APIView):
    @extend_schema(summary="Mark your notifications read", request=s.MarkReadSerializer,
                   responses={200: s.MarkedSerializer, **error_responses(400)})
    def post(self, request):
        serializer = s.MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_services.mark_read(user=request.user, ids=serializer.validated_data["ids"])
        return Response({"marked": marked})
