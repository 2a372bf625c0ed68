"""/api/v1/meetings/… — thin: selectors read, actions write; refusals are the core's JSON errors
(a meeting outside the user's scope is a 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.cases.selectors import cases_visible_to
from wangge.core.api import error_responses, refuse_body
from wangge.core.errors import InvalidInput, NotFound
from wangge.org.models import Region, User

from .. import actions, selectors
from ..models import Minutes, Topic
from . import serializers as s


def _meeting(request, pk):
    return selectors.meeting_for(request.user, pk)


def _detail(request, meeting) -> dict:
    meeting = selectors.meeting_for(request.user, meeting.pk)
    return s.MeetingDetailSerializer(meeting, context={"items": selectors.items_for(request.user, meeting)}).data


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MeetingListView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    def get_queryset(self):
        return selectors.meetings_visible_to(self.request.user)

    @extend_schema(summary="协商会议 — the meetings you may see", responses={200: s.MeetingSerializer(many=True),
                                                                        **error_responses(400, 404)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.MeetingSerializer(page, many=True).data)

    @extend_schema(summary="召集会议 — schedule a meeting", request=s.MeetingCreateSerializer,
                   responses={201: s.MeetingDetailSerializer, **error_responses(400, 403)})
    def post(self, request):
        d = _valid(s.MeetingCreateSerializer, request)
        meeting = actions.create_meeting(actor=request.user, kind=d["kind"], level=d["level"], region=d["region"],
                                         scheduled_at=d["scheduled_at"], place=d.get("place", ""),
                                         title=d.get("title", ""))
        return Response(_detail(request, meeting), status=201)


class MeetingDetailView(APIView):
    @extend_schema(summary="One meeting: participants, agenda (the items you may see), record",
                   responses={200: s.MeetingDetailSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(_detail(request, _meeting(request, pk)))


class ItemAddView(APIView):
    @extend_schema(summary="列入议程 — put a ledger case (by number) or a vetted topic on the agenda",
                   request=s.MeetingItemAddSerializer, responses={200: s.MeetingDetailSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        d = _valid(s.MeetingItemAddSerializer, request)
        case = topic = None
        if d.get("case"):
            case = cases_visible_to(request.user).filter(number=d["case"]).first()
            if case is None:
                raise InvalidInput(fields={"case": "unknown"})
        if d.get("topic"):
            topic = Topic.objects.filter(pk=d["topic"]).first()
            if topic is None:
                raise InvalidInput(fields={"topic": "unknown"})
        actions.add_agenda_item(meeting=meeting, actor=request.user, case=case, topic=topic, title=d.get("title", ""),
                                is_dispute=d.get("is_dispute", False))
        return Response(_detail(request, meeting))


class ParticipantAddView(APIView):
    @extend_schema(summary="邀请参会 — a member of staff, a department or an outside representative",
                   request=s.MeetingParticipantAddSerializer, responses={200: s.MeetingDetailSerializer,
                                                                  **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        d = _valid(s.MeetingParticipantAddSerializer, request)
        user = None
        if d.get("user"):
            user = User.objects.filter(pk=d["user"], is_active=True).first()
            if user is None:
                raise InvalidInput(fields={"user": "unknown"})
        actions.add_participant(meeting=meeting, actor=request.user, user=user, department=d.get("department"),
                                name=d.get("name", ""), role=d.get("role", ""), organisation=d.get("organisation", ""),
                                phone=d.get("phone", ""))
        return Response(_detail(request, meeting))


def _simple(action_name: str, summary: str):
    class View(APIView):
        @extend_schema(summary=summary, request=None, responses={200: s.MeetingDetailSerializer,
                                                                 **error_responses(400, 403, 404)})
        def post(self, request, pk: int):
            refuse_body(request)
            meeting = _meeting(request, pk)
            getattr(actions, action_name)(meeting=meeting, actor=request.user)
            return Response(_detail(request, meeting))

    View.__name__ = f"{action_name.title().replace('_', '')}View"
    return View


ProposeAgendaView = _simple("propose_agenda", "按台账拟议程 — propose the agenda from the ledger and vetted topics")
PublishAgendaView = _simple("publish_agenda", "公布议程 — publish the agenda")
CloseMeetingView = _simple("close_meeting", "散会 — close the meeting (every item needs a decision)")


class DecideView(APIView):
    @extend_schema(summary="议定 — decide an item: solved, plan (lead, co-handlers, deadline), deferred, not solvable",
                   request=s.MeetingDecisionSerializer, responses={200: s.MeetingDetailSerializer,
                                                            **error_responses(400, 403, 404)})
    def post(self, request, pk: int, item_id: int):
        meeting = _meeting(request, pk)
        item = meeting.items.filter(pk=item_id).first()
        if item is None or item.pk not in {i.pk for i in selectors.items_for(request.user, meeting)}:
            raise NotFound()
        d = _valid(s.MeetingDecisionSerializer, request)
        actions.decide_item(item=item, actor=request.user, decision=d["decision"], outcome=d.get("outcome", ""),
                            notes=d.get("notes", ""), lead_department=d.get("lead_department"),
                            co_departments=d.get("co_departments", []), deadline=d.get("deadline"),
                            resolve=d.get("resolve", False), category=d.get("category"))
        return Response(_detail(request, meeting))


def _minutes(request, pk) -> Minutes:
    meeting = _meeting(request, pk)
    main = meeting.minutes.filter(kind="minutes").first()
    if main is None:
        raise NotFound()
    return main


class MinutesView(APIView):
    @extend_schema(summary="纪要 — the minutes and their addenda", responses={200: s.MeetingMinutesSerializer(many=True),
                                                                           **error_responses(404)})
    def get(self, request, pk: int):
        meeting = _meeting(request, pk)
        if not selectors.sees_whole_meeting(request.user, meeting):
            raise NotFound()
        return Response(s.MeetingMinutesSerializer(meeting.minutes.all(), many=True).data)


class MinutesPublishView(APIView):
    @extend_schema(summary="签发纪要 — the convener signs the minutes off (final, immutable)", request=None,
                   responses={200: s.MeetingMinutesSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        refuse_body(request)
        return Response(s.MeetingMinutesSerializer(actions.publish_minutes(minutes=_minutes(request, pk),
                                                                    actor=request.user)).data)


class AmendmentView(APIView):
    @extend_schema(summary="提出修改意见 — propose an amendment to the draft minutes", request=s.MeetingTextSerializer,
                   responses={200: s.MeetingMinutesSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        main = _minutes(request, pk)
        actions.propose_amendment(minutes=main, actor=request.user, text=_valid(s.MeetingTextSerializer, request)["text"])
        main.refresh_from_db()
        return Response(s.MeetingMinutesSerializer(main).data)


class AddendumView(APIView):
    @extend_schema(summary="补充纪要 — a correction to final minutes (a new, linked addendum)",
                   request=s.MeetingTextSerializer, responses={201: s.MeetingMinutesSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        addendum = actions.add_addendum(minutes=_minutes(request, pk), actor=request.user,
                                        text=_valid(s.MeetingTextSerializer, request)["text"])
        return Response(s.MeetingMinutesSerializer(addendum).data, status=201)


class LedgerView(APIView):
    @extend_schema(summary="台账 — open 2★ and coordination cases of a meeting's territory",
                   responses={200: s.MeetingLedgerRowSerializer(many=True), **error_responses(404)})
    def get(self, request, pk: int):
        meeting = _meeting(request, pk)
        if not selectors.may_manage(request.user, meeting):
            raise NotFound()
        return Response(s.MeetingLedgerRowSerializer(selectors.ledger_rows(request.user, meeting.region, meeting=meeting),
                                              many=True).data)


class TopicListView(generics.GenericAPIView):
    serializer_class = s.MeetingTopicSerializer

    def get_queryset(self):
        from wangge.org.scope import Scope

        return Scope.of(self.request.user).restrict(Topic.objects.all(), fields=None)

    @extend_schema(summary="议题 — topics in your territory", responses={200: s.MeetingTopicSerializer(many=True),
                                                                      **error_responses(400, 404)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.MeetingTopicSerializer(page, many=True).data)

    @extend_schema(summary="提出议题 — raise a topic", request=s.MeetingTopicSerializer,
                   responses={201: s.MeetingTopicSerializer, **error_responses(400, 403)})
    def post(self, request):
        d = _valid(s.MeetingTopicSerializer, request)
        region = d["region"] if isinstance(d["region"], Region) else None
        topic = actions.raise_topic(actor=request.user, region=region, title=d["title"],
                                    description=d.get("description", ""), is_dispute=d.get("is_dispute", False))
        return Response(s.MeetingTopicSerializer(topic).data, status=201)


class TopicVetView(APIView):
    @extend_schema(summary="审核议题 — accept or reject a topic", request=s.MeetingVetSerializer,
                   responses={200: s.MeetingTopicSerializer, **error_responses(400, 403, 404)})
    def post(self, request, topic_id: int):
        from wangge.org.scope import Scope

        topic = Scope.of(request.user).restrict(Topic.objects.all(), fields=None).filter(pk=topic_id).first()
        if topic is None:
            raise NotFound()
        d = _valid(s.MeetingVetSerializer, request)
        return Response(s.MeetingTopicSerializer(actions.vet_topic(topic=topic, actor=request.user, accept=d["accept"],
                                                            note=d.get("note", ""))).data)


class FiguresView(APIView):
    @extend_schema(summary="协商议事 figures — meetings per level and month, outcomes, disputes mediated",
                   responses={200: s.MeetingFiguresSerializer, **error_responses()})
    def get(self, request):
        return Response(s.MeetingFiguresSerializer(selectors.figures(request.user)).data)
