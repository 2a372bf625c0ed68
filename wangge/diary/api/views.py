"""/api/v1/diary/ — a worker's day (compiled lines + notes), notes, corrections, sign-off."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import error_responses
from wangge.core.errors import NotFound

from .. import actions, days, selectors
from ..errors import BadDiaryInput
from . import serializers as s

TAG = "diary"


@extend_schema(tags=[TAG], summary="Diary days you may read (工作日记), newest first")
class DayListView(generics.ListAPIView):
    """The diary days the caller may read (their own, and those they supervise), newest first.
    ``?status=closed``: waiting for sign-off."""

    serializer_class = s.DiaryDayRowSerializer

    def get_queryset(self):
        qs = selectors.days_visible_to(self.request.user).order_by("-day", "pk")
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs


class DayView(APIView):
    @extend_schema(tags=[TAG], responses={200: s.DiaryDayViewSerializer, **error_responses(400, 404)},
                   parameters=[OpenApiParameter("worker", int, description="default: me"),
                               OpenApiParameter("day", str, description="YYYY-MM-DD (default: today)")],
                   summary="One worker's day: the lines compiled from every source, and the notes")
    def get(self, request):
        worker_id = request.query_params.get("worker") or request.user.pk
        try:
            the_day = dt.date.fromisoformat(request.query_params.get("day") or days.today().isoformat())
        except ValueError:
            raise BadDiaryInput(_("Give the day as YYYY-MM-DD."), fields={"day": "invalid"}) from None
        worker, _grid = selectors.worker_for(request.user, worker_id)
        return Response(s.DiaryDayViewSerializer(selectors.day_view(request.user, worker, the_day)).data)


class NoteView(APIView):
    @extend_schema(tags=[TAG], summary="Add a note to today's diary", request=s.DiaryNoteCreateSerializer, responses={201: s.DiaryNoteSerializer,
                                                                           **error_responses(400, 403)})
    def post(self, request):
        data = s.DiaryNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = actions.add_note(actor=request.user, **data.validated_data)
        return Response(s.DiaryNoteSerializer(note).data, status=status.HTTP_201_CREATED)


def _row(user, pk):
    row = selectors.days_visible_to(user).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


class CorrectionView(APIView):
    @extend_schema(tags=[TAG], summary="Add a dated correction to a closed day", request=s.DiaryCorrectionSerializer, responses={201: s.DiaryNoteSerializer,
                                                                           **error_responses(400, 404)})
    def post(self, request, pk: int):
        data = s.DiaryCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = actions.add_correction(actor=request.user, diary_day=_row(request.user, pk), **data.validated_data)
        return Response(s.DiaryNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class SignView(APIView):
    @extend_schema(tags=[TAG], summary="Sign off a closed day (grid chief)", request=s.DiarySignSerializer, responses={200: s.DiaryDayRowSerializer,
                                                                     **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        data = s.DiarySignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = actions.sign_off(actor=request.user, diary_day=_row(request.user, pk), note=data.validated_data["note"])
        return Response(s.DiaryDayRowSerializer(row).data)
