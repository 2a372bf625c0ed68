"""/api/v1/patrols/ — points, today's visits, check-ins (idempotent by client id), findings,
figures, the grid's officers and the grid whistle. Thin: selectors read, actions write; a
``DomainError`` becomes the platform's JSON error (400 / 403 / 404)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.cases.selectors import case_for
from wangge.core.api import BoundedJSONParser, error_responses
from wangge.core.errors import NotFound
from wangge.core.http import row_id

from .. import actions, permissions, selectors
from ..figures import By, compliance
from ..windows import today
from . import serializers as s

PARSERS = [BoundedJSONParser, MultiPartParser, FormParser]


def _float(value):
    if value in (None, ""):
        return None
    try:
        f = float(value)
    except ValueError:
        raise ValidationError({"lat": "invalid"}) from None
    if f != f or abs(f) > 180:
        raise ValidationError({"lat": "invalid"})
    return f


def _date(request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: "invalid"}) from None


class PointListView(generics.GenericAPIView):
    """巡查点位 — the points of the user's territory; managers add points."""

    serializer_class = s.PatrolPointSerializer
    parser_classes = PARSERS

    def get_queryset(self):
        qs = selectors.points_visible_to(self.request.user).select_related("grid").order_by("grid_id", "name", "pk")
        grid = self.request.query_params.get("grid")
        if grid:
            qs = qs.filter(grid_id=row_id(grid) or 0)
        return qs

    @extend_schema(summary="Patrol points", parameters=[OpenApiParameter("grid", int, description="Only this grid")],
                   responses={200: s.PatrolPointSerializer(many=True), **error_responses(400)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PatrolPointSerializer(page, many=True).data)

    @extend_schema(summary="Add a point", request=s.PatrolPointInputSerializer,
                   responses={201: s.PatrolPointSerializer, **error_responses(400, 404)})
    def post(self, request):
        data = s.PatrolPointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        point = actions.create_point(actor=request.user, **data.validated_data)
        return Response(s.PatrolPointSerializer(point).data, status=status.HTTP_201_CREATED)


class PointDetailView(APIView):
    parser_classes = PARSERS

    @extend_schema(summary="One patrol point", responses={200: s.PatrolPointSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(s.PatrolPointSerializer(selectors.point_for(request.user, pk)).data)

    @extend_schema(summary="Change a point", request=s.PatrolPointChangeSerializer,
                   responses={200: s.PatrolPointSerializer, **error_responses(400, 404)})
    def patch(self, request, pk: int):
        point = selectors.point_for(request.user, pk)
        data = s.PatrolPointChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        point = actions.update_point(actor=request.user, point=point, **data.validated_data)
        return Response(s.PatrolPointSerializer(point).data)


class DueTodayView(APIView):
    """今日巡查 — due and overdue visits; nearest first when the phone's position is given."""

    @extend_schema(summary="Today's due and overdue visits", parameters=[
        OpenApiParameter("lat", float, description="The phone's latitude (sorts by distance)"),
        OpenApiParameter("lng", float, description="The phone's longitude"),
        OpenApiParameter("grid", int, description="Only this grid")],
        responses={200: s.PatrolTodaySerializer, **error_responses(400)})
    def get(self, request):
        grids = selectors.patrol_grids(request.user)
        raw = request.query_params.get("grid")
        grid = next((g for g in grids if str(g.pk) == raw), None) if raw else None
        lat, lng = _float(request.query_params.get("lat")), _float(request.query_params.get("lng"))
        whole = selectors.is_grid_chief(request.user) or permissions.is_manager(request.user)
        data = selectors.today_for(request.user, grid=grid, latitude=lat, longitude=lng, whole_grid=whole)
        return Response(s.PatrolTodaySerializer({"day": data.day, "done": data.done, "due": data.due,
                                           "overdue": data.overdue}).data)


class CancelSlotView(APIView):
    @extend_schema(summary="Cancel a visit slot, with a reason", request=s.SlotCancelSerializer,
                   responses={200: s.VisitSlotSerializer, **error_responses(400, 404)})
    def post(self, request, pk: int):
        slot = selectors.slot_for(request.user, pk)
        data = s.SlotCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.VisitSlotSerializer(actions.cancel_slot(actor=request.user, slot=slot,
                                                             reason=data.validated_data["reason"])).data)


class CheckInListView(generics.GenericAPIView):
    """打卡 — POST is idempotent on ``client_id``: 201 when stored, 200 with the stored check-in
    when it is a resend."""

    serializer_class = s.PatrolCheckInSerializer
    parser_classes = PARSERS

    def get_queryset(self):
        qs = selectors.checkins_visible_to(self.request.user).select_related("point").order_by("-client_time", "-pk")
        worker = self.request.query_params.get("worker")
        if worker:
            qs = qs.filter(worker_id=row_id(worker) or 0)
        return qs

    @extend_schema(summary="Check-ins", parameters=[OpenApiParameter("worker", int)],
                   responses={200: s.PatrolCheckInSerializer(many=True), **error_responses(400)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PatrolCheckInSerializer(page, many=True).data)

    @extend_schema(summary="Check in (idempotent by client id)",
                   request={"application/json": s.PatrolCheckInInputSerializer, "multipart/form-data": s.PatrolCheckInInputSerializer},
                   responses={201: s.PatrolCheckInSerializer, 200: s.PatrolCheckInSerializer, **error_responses(400, 404)})
    def post(self, request):
        data = s.PatrolCheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        result = actions.check_in(actor=request.user, client_id=d["client_id"], point=d["point"],
                                  client_time=d["client_time"], presence=d["presence"], latitude=d.get("latitude"),
                                  longitude=d.get("longitude"), accuracy=d.get("accuracy"),
                                  plate_token=d["plate_token"], notes=d["notes"], photos=d["photos"])
        return Response(s.PatrolCheckInSerializer(result.checkin).data,
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class CheckInDetailView(APIView):
    @extend_schema(summary="One check-in", responses={200: s.PatrolCheckInSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(s.PatrolCheckInSerializer(selectors.checkin_for(request.user, pk)).data)


class FindingListView(generics.GenericAPIView):
    """发现问题 — POST turns a finding at a check-in into a case in one step."""

    serializer_class = s.PatrolFindingSerializer
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.findings_visible_to(self.request.user).select_related("case").order_by("-created_at", "-pk")

    @extend_schema(summary="Findings", responses={200: s.PatrolFindingSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PatrolFindingSerializer(page, many=True).data)

    @extend_schema(summary="Report a finding (becomes a case)",
                   request={"application/json": s.PatrolFindingInputSerializer, "multipart/form-data": s.PatrolFindingInputSerializer},
                   responses={201: s.PatrolFindingSerializer, 200: s.PatrolFindingSerializer, **error_responses(400, 403, 404)})
    def post(self, request):
        data = s.PatrolFindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        before = d.get("client_id")
        existed = bool(before) and selectors.findings_visible_to(request.user).filter(client_id=before).exists()
        finding = actions.report_finding(actor=request.user, checkin=d["checkin"], description=d["description"],
                                         handling_class=d["handling_class"], category=d.get("category"),
                                         result=d["result"], photos=d["photos"], client_id=d.get("client_id"))
        return Response(s.PatrolFindingSerializer(finding).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class FiguresView(APIView):
    """巡查考核 — compliance figures per worker, grid or community for a period."""

    @extend_schema(summary="Patrol compliance figures", parameters=[
        OpenApiParameter("first", dt.date, description="First day (default: the 1st of this month)"),
        OpenApiParameter("last", dt.date, description="Last day (default: today)"),
        OpenApiParameter("by", str, enum=list(By.ALL), description="Rows per worker, grid or community")],
        responses={200: s.PatrolFiguresSerializer, **error_responses(400, 404)})
    def get(self, request):
        if not permissions.sees_figures(request.user):
            raise NotFound()
        last = _date(request, "last", today())
        first = _date(request, "first", last.replace(day=1))
        if first > last or (last - first).days > 400:
            raise ValidationError({"first": "invalid"})
        by = request.query_params.get("by") or By.GRID
        if by not in By.ALL:
            raise ValidationError({"by": "invalid"})
        figures = compliance(request.user, first=first, last=last, by=by)
        return Response({"by": by, "first": first, "last": last, "rows": [r.as_dict() for r in figures.rows],
                         "total": figures.total.as_dict()})


@extend_schema(summary="The grids' officers (一格八员)", responses={200: s.GridOfficerSerializer(many=True)})
class OfficerListView(generics.ListAPIView):
    """一格八员 — the officers sunk into the user's grids."""

    serializer_class = s.GridOfficerSerializer

    def get_queryset(self):
        return selectors.officers_visible_to(self.request.user).filter(is_active=True).select_related(
            "user", "department", "role").order_by("grid_id", "role__order", "pk")


class WhistleView(APIView):
    parser_classes = PARSERS

    @extend_schema(summary="Grid whistle: summon the case's grid officers as co-handlers", request=s.GridWhistleSerializer,
                   responses={200: s.GridWhistleSerializer, **error_responses(400, 403, 404)})
    def post(self, request, number: str):
        case = case_for(request.user, number)
        data = s.GridWhistleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.blow_whistle(actor=request.user, case=case, note=data.validated_data["note"])
        return Response({"note": data.validated_data["note"]})
