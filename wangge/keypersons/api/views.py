"""/api/v1/keypersons/ — the register (masked), the logged full view, visits, what is due, the
monthly coverage, 六到 and 六报. Thin: selectors read, actions write; a person outside the
caller's scope is a 404, the same as one that does not exist."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import error_responses
from wangge.core.http import client_ip
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region

from .. import actions, periods, selectors
from ..errors import BadKeyPersonInput
from ..models import KeyPersonTag
from . import serializers as s

TAG = "keypersons"


def _grid(pk) -> Region | None:
    if pk is None:
        return None
    grid = Region.objects.filter(pk=pk, level=RegionLevel.GRID).first()
    if grid is None:
        raise BadKeyPersonInput(_("No such grid."), fields={"grid": "invalid"})
    return grid


def _ip(request):
    return client_ip(request)


@extend_schema(tags=[TAG], summary="Key persons in your scope (重点人员), masked")
class KeyPersonListView(generics.ListAPIView):
    """重点人员 — the register in the caller's scope, masked. ``?mine=1``: only the caller's persons;
    ``?retired=1``: retired ones too."""

    serializer_class = s.KeyPersonSerializer

    def get_queryset(self):
        qs = selectors.key_persons_visible_to(self.request.user,
                                              include_retired=self.request.query_params.get("retired") == "1")
        if self.request.query_params.get("mine") == "1":
            qs = qs.filter(worker=self.request.user)
        return qs.order_by("grid_id", "pk")

    @extend_schema(summary="Register a key person", request=s.KeyPersonCreateSerializer, responses={201: s.KeyPersonSerializer,
                                                                   **error_responses(400, 403, 404)})
    def post(self, request):
        data = s.KeyPersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        worker = None
        if v["worker"] is not None:
            worker = get_user_model().objects.filter(pk=v["worker"]).first()
            if worker is None:
                raise BadKeyPersonInput(_("The responsible worker must work in this grid."), fields={"worker": "invalid"})
        person = actions.register_key_person(actor=request.user, grid=_grid(v["grid"]), name=v["name"], phone=v["phone"],
                                             id_number=v["id_number"], address=v["address"], tags=v["tags"],
                                             worker=worker, notes=v["notes"])
        return Response(s.KeyPersonSerializer(person).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG], summary="One key person, masked", responses={200: s.KeyPersonSerializer, **error_responses(404)})
class KeyPersonDetailView(APIView):
    def get(self, request, pk: int):
        return Response(s.KeyPersonSerializer(selectors.key_person_for(request.user, pk)).data)


class RevealView(APIView):
    @extend_schema(tags=[TAG], request=s.KeyPersonRevealSerializer, responses={200: s.KeyPersonRevealedSerializer,
                                                                       **error_responses(400, 404)},
                   summary="Full (unmasked) personal data — every call is logged")
    def post(self, request, pk: int):
        data = s.KeyPersonRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = selectors.key_person_for(request.user, pk)
        revealed = actions.reveal_key_person(actor=request.user, person=person, purpose=data.validated_data["purpose"],
                                             ip_address=_ip(request))
        response = Response(revealed)
        response["Cache-Control"] = "no-store"
        return response


class RetireView(APIView):
    @extend_schema(tags=[TAG], summary="Retire a key person, with a reason", request=s.KeyPersonRetireSerializer, responses={200: s.KeyPersonSerializer,
                                                                       **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        data = s.KeyPersonRetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = actions.retire_key_person(actor=request.user, person=selectors.key_person_for(request.user, pk),
                                           reason=data.validated_data["reason"])
        return Response(s.KeyPersonSerializer(person).data)


class VisitsView(APIView):
    @extend_schema(tags=[TAG], summary="A key person's visits (走访), newest first", responses={200: s.KeyPersonVisitSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        person = selectors.key_person_for(request.user, pk)
        return Response(s.KeyPersonVisitSerializer(selectors.visits_of(request.user, person)[:200], many=True).data)

    @extend_schema(tags=[TAG], summary="Record a visit", request=s.KeyPersonVisitCreateSerializer, responses={201: s.KeyPersonVisitSerializer,
                                                                            **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        data = s.KeyPersonVisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = selectors.key_person_for(request.user, pk)
        visit = actions.record_visit(actor=request.user, person=person, **data.validated_data)
        return Response(s.KeyPersonVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class DueView(APIView):
    @extend_schema(tags=[TAG], responses={200: s.KeyPersonDueSerializer(many=True)},
                   parameters=[OpenApiParameter("all", bool, description="the whole area, not only mine")],
                   summary="What is due and overdue today (overdue first)")
    def get(self, request):
        qs = selectors.key_persons_visible_to(request.user)
        if request.query_params.get("all") != "1" and request.user.has_role(Role.GRID_WORKER):
            qs = qs.filter(worker=request.user)
        rows = selectors.due_list(qs[:1000], today=periods.local_day(timezone.now()))
        return Response(s.KeyPersonDueSerializer(rows, many=True).data)


class CoverageView(APIView):
    @extend_schema(tags=[TAG], responses={200: s.KeyPersonCoverageSerializer, **error_responses(400, 403)},
                   parameters=[OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
                               OpenApiParameter("by", str, enum=list(selectors.GROUPS))],
                   summary="Monthly visit coverage: expected − done = missing, exact")
    def get(self, request):
        if not selectors.is_supervisor(request.user):
            from ..errors import KeyPersonForbidden

            raise KeyPersonForbidden()
        raw = request.query_params.get("month") or periods.local_day(timezone.now()).strftime("%Y-%m")
        try:
            year, month = (int(x) for x in raw.split("-"))
            dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise BadKeyPersonInput(_("Give the month as YYYY-MM."), fields={"month": "invalid"}) from None
        by = request.query_params.get("by", "worker")
        if by not in selectors.GROUPS:
            raise BadKeyPersonInput(_("Group by worker, grid or community."), fields={"by": "invalid"})
        rows, total = selectors.coverage(request.user, year=year, month=month, by=by)
        return Response(s.KeyPersonCoverageSerializer({"month": f"{year:04d}-{month:02d}", "by": by, "rows": rows,
                                              "total": total}).data)


class AttendanceView(APIView):
    @extend_schema(tags=[TAG], request=s.KeyPersonAttendanceCreateSerializer, responses={201: s.KeyPersonAttendanceSerializer,
                                                                                  **error_responses(400, 403, 404)},
                   summary="六到 — record an attendance")
    def post(self, request):
        data = s.KeyPersonAttendanceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = selectors.key_person_for(request.user, v["key_person"]) if v["key_person"] else None
        row = actions.record_attendance(actor=request.user, kind=v["kind"], grid=_grid(v["grid"]), person=person,
                                        at=v["at"], place=v["place"], note=v["note"])
        return Response(s.KeyPersonAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)


class QuickReportView(APIView):
    @extend_schema(tags=[TAG], request=s.KeyPersonQuickReportCreateSerializer, responses={201: s.KeyPersonQuickReportSerializer,
                                                                                  **error_responses(400, 403, 404)},
                   summary="六报 — a one-tap report (damage, dirt, hazard → a case; others → their office)")
    def post(self, request):
        data = s.KeyPersonQuickReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = actions.quick_report(actor=request.user, kind=v["kind"], grid=_grid(v["grid"]), at=v["at"],
                                   place=v["place"], note=v["note"], longitude=v["longitude"], latitude=v["latitude"])
        return Response(s.KeyPersonQuickReportSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG], summary="Key-person tags and their visit frequencies")
class TagListView(generics.ListAPIView):
    serializer_class = s.KeyPersonTagSerializer
    queryset = KeyPersonTag.objects.order_by("order", "pk")
