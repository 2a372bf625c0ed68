"""/api/v1/neighbourhood/ — chiefs, needs, resources, services, quarters (三问三联三评).

Thin: input serializers validate the shape, ``actions`` do the work, ``selectors`` scope the
reads. A row out of reach is a 404; a refused action is the platform's error format."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import error_responses
from wangge.core.errors import Forbidden, InvalidInput, NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel
from wangge.org.models import Region, User

from .. import actions, forms, selectors
from ..models import Chief, Need, RatingPeriod, Resource, ServiceRecord
from . import serializers as s


def _confirmed(request) -> None:
    """Showing a contact and publishing a quarter take no input but ``confirm``: any other field is
    refused (``unknown_field``), and ``"confirm": false`` does nothing rather than act anyway."""
    data = s.NeighbourhoodConfirmSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    if not data.validated_data["confirm"]:
        raise InvalidInput(_("Nothing was done: confirm is false."), fields={"confirm": "not_confirmed"})


def _visible_or_404(user):
    if not selectors.is_staff_user(user):
        raise NotFound()


class NeighbourhoodAPI:
    """Only for those this app serves (chiefs, field workers, managers): anyone else gets 404."""

    lookup_value_regex = r"[0-9]{1,18}"  # a row id; anything else is not found

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _visible_or_404(request.user)


def _row(qs, pk, field):
    return forms.row(qs.model, pk, field, qs, required=False)


@extend_schema_view(
    list=extend_schema(summary="Chiefs (三长) in reach", responses={200: s.ChiefSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One chief", responses={200: s.ChiefSerializer, **error_responses(404)}),
    create=extend_schema(summary="Appoint a chief", request=s.AppointChiefSerializer,
                         responses={201: s.ChiefSerializer, **error_responses(400, 403, 404)}),
)
class ChiefViewSet(NeighbourhoodAPI, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """三长 — grid, building and unit chiefs."""

    serializer_class = s.ChiefSerializer
    queryset = Chief.objects.none()  # the model, for the schema; get_queryset scopes the rows

    def get_queryset(self):
        return selectors.chiefs_visible_to(self.request.user).filter(ended_at__isnull=True) \
            if self.action == "list" else selectors.chiefs_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.AppointChiefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        region = forms.region(v["region"])
        user = resident = None
        if v.get("user"):
            user = forms.row(User, v["user"], "user", User.objects.filter(is_active=True))
        else:
            from wangge.residents.services import resident_for_report

            if not actions.valid_phone(v.get("phone", "")):
                raise InvalidInput(fields={"phone": "invalid"})
            if not selectors.may_manage(request.user, region):
                raise Forbidden()
            resident = resident_for_report(name=v.get("name", ""), phone=v["phone"], anonymous=False)
        chief = actions.appoint_chief(
            actor=request.user, region=region, user=user, resident=resident, name=v.get("name", ""),
            selection_method=v["selection_method"], compound_type=v.get("compound_type", ""),
            is_party_member=v["is_party_member"], term_start=v["term_start"], term_end=v.get("term_end"),
            selection_note=v.get("selection_note", ""))
        return Response(s.ChiefSerializer(chief).data, status=201)

    @extend_schema(summary="End a chief's term", request=s.ChiefEndTermSerializer,
                   responses={200: s.ChiefSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request, pk=None):
        data = s.ChiefEndTermSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chief = actions.end_chief_term(actor=request.user, chief=self.get_object(), reason=data.validated_data["reason"])
        return Response(s.ChiefSerializer(chief).data)


class CoverageView(NeighbourhoodAPI, APIView):
    @extend_schema(summary="Which grids, buildings and units of a community have no chief",
                   parameters=[OpenApiParameter("community", int, required=True)],
                   responses={200: s.ChiefCoverageSerializer, **error_responses(400, 404)})
    def get(self, request):
        pk = request.query_params.get("community", "")
        community = next((c for c in selectors.visible_communities(request.user) if str(c.pk) == pk), None)
        if community is None:
            raise DrfNotFound()
        return Response(s.ChiefCoverageSerializer(selectors.coverage(community)).data)


@extend_schema_view(
    list=extend_schema(summary="The needs list (需求清单) in reach",
                       parameters=[OpenApiParameter("status", str), OpenApiParameter("source", str),
                                   OpenApiParameter("need_class", int)],
                       responses={200: s.NeedSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One need", responses={200: s.NeedSerializer, **error_responses(404)}),
    create=extend_schema(summary="Raise a need", request=s.RaiseNeedSerializer,
                         responses={201: s.NeedSerializer, **error_responses(400, 403, 404)}),
)
class NeedViewSet(NeighbourhoodAPI, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """三问 — needs, and what answers them."""

    serializer_class = s.NeedSerializer
    queryset = Need.objects.none()  # the model, for the schema; get_queryset scopes the rows

    def get_queryset(self):
        qs = selectors.needs_visible_to(self.request.user)
        p = self.request.query_params
        if p.get("status"):
            qs = qs.filter(status=p["status"])
        if p.get("source"):
            qs = qs.filter(source=p["source"])
        if need_class := row_id(p.get("need_class")):
            qs = qs.filter(need_class_id=need_class)
        return qs

    def get_object(self):
        return selectors.need_for(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = s.RaiseNeedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        need = actions.raise_need(
            actor=request.user, need_class=v["need_class"], description=v["description"], source=v["source"],
            scope=v["scope"], region=forms.region(v["region"]), meeting_ref=v.get("meeting_ref", ""),
            household=_row(selectors.households_visible_to(request.user), v.get("household"), "household"))
        return Response(s.NeedSerializer(need).data, status=201)

    def _done(self, need):
        return Response(s.NeedSerializer(need).data)

    @extend_schema(summary="Resources the matcher proposes", responses={200: s.ResourceProposalSerializer(many=True), **error_responses(400, 404)})
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        return Response(s.ResourceProposalSerializer(selectors.propose_resources(request.user, self.get_object()),
                                             many=True).data)

    @extend_schema(summary="Match a resource", request=s.NeedMatchSerializer,
                   responses={200: s.NeedSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        data = s.NeedMatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(actions.match_need(actor=request.user, need=self.get_object(),
                                             resource=selectors.resource_for(request.user, data.validated_data["resource"]),
                                             note=data.validated_data.get("note", "")))

    @extend_schema(summary="Record the service delivered", request=s.NeedServeSerializer,
                   responses={201: s.ServiceSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def serve(self, request, pk=None):
        data = s.NeedServeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        service = actions.record_service(
            actor=request.user, need=self.get_object(), resource=selectors.resource_for(request.user, v["resource"]),
            chief=_row(selectors.chiefs_visible_to(request.user), v.get("chief"), "chief"),
            household=_row(selectors.households_visible_to(request.user), v.get("household"), "household"),
            description=v["description"], served_at=v.get("served_at"))
        return Response(s.ServiceSerializer(service).data, status=201)

    @extend_schema(summary="Escalate (chiefs → community → sub-district)", request=s.NeedNoteSerializer,
                   responses={200: s.NeedSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = s.NeedNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(actions.escalate_need(actor=request.user, need=self.get_object(),
                                                note=data.validated_data["note"]))

    @extend_schema(summary="File the need as a case", request=s.NeedToCaseSerializer,
                   responses={200: s.NeedSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"], url_path="to-case")
    def to_case(self, request, pk=None):
        data = s.NeedToCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(actions.need_to_case(actor=request.user, need=self.get_object(),
                                               title=data.validated_data.get("title", ""),
                                               note=data.validated_data.get("note", "")))

    @extend_schema(summary="Close without a service", request=s.NeedNoteSerializer,
                   responses={200: s.NeedSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = s.NeedNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(actions.close_need(actor=request.user, need=self.get_object(),
                                             note=data.validated_data["note"]))

    @extend_schema(summary="Merge similar needs into this one", request=s.NeedMergeSerializer,
                   responses={200: s.NeedSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        data = s.NeedMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["others"])
        others = list(selectors.needs_visible_to(request.user).filter(pk__in=ids))
        if len(others) != len(ids):
            raise NotFound()
        return self._done(actions.merge_needs(actor=request.user, target=self.get_object(), others=others,
                                              note=data.validated_data.get("note", "")))


@extend_schema_view(
    list=extend_schema(summary="The service-resource library in reach (contacts masked)",
                       responses={200: s.ResourceSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One resource", responses={200: s.ResourceSerializer, **error_responses(404)}),
    create=extend_schema(summary="Add a resource", request=s.CreateResourceSerializer,
                         responses={201: s.ResourceSerializer, **error_responses(400, 403, 404)}),
)
class ResourceViewSet(NeighbourhoodAPI, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """三联 — the service-resource library."""

    serializer_class = s.ResourceSerializer
    queryset = Resource.objects.none()  # the model, for the schema; get_queryset scopes the rows

    def get_queryset(self):
        return selectors.resources_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.CreateResourceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["area"] = forms.region(v["area"], "area")
        v["linked_by"] = _row(selectors.chiefs_visible_to(request.user), v.get("linked_by"), "linked_by")
        resource = actions.create_resource(actor=request.user, **v)
        return Response(s.ResourceSerializer(resource).data, status=201)

    @extend_schema(summary="The full contact (every view logged)", request=s.NeighbourhoodConfirmSerializer,
                   responses={200: s.ResourceContactSerializer, **error_responses(400, 404)})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        _confirmed(request)
        return Response(actions.reveal_resource_contact(actor=request.user, resource=self.get_object()))


@extend_schema_view(
    list=extend_schema(summary="Services delivered in reach", responses={200: s.ServiceSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One service", responses={200: s.ServiceSerializer, **error_responses(404)}),
)
class ServiceViewSet(NeighbourhoodAPI, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ServiceSerializer
    queryset = ServiceRecord.objects.none()  # the model, for the schema; get_queryset scopes the rows

    def get_queryset(self):
        return selectors.services_visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Rating quarters (reviewed and published)", responses={200: s.QuarterSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(summary="One quarter with its published scores",
                           responses={200: s.QuarterSerializer, **error_responses(404)}),
)
class PeriodViewSet(NeighbourhoodAPI, viewsets.ReadOnlyModelViewSet):
    """三评 — quarterly publication."""

    serializer_class = s.QuarterSerializer
    queryset = RatingPeriod.objects.none()  # the model, for the schema; get_queryset scopes the rows

    def get_queryset(self):
        roots = selectors.reach_roots(self.request.user)
        qs = RatingPeriod.objects.prefetch_related("scores")
        if roots is None:
            return qs
        ids = {r.ancestor_at(RegionLevel.SUBDISTRICT).pk for r in roots if r.ancestor_at(RegionLevel.SUBDISTRICT)}
        return qs.filter(subdistrict_id__in=ids)

    @extend_schema(summary="Review a quarter (set the minimum number of ratings)", request=s.QuarterReviewSerializer,
                   responses={200: s.QuarterSerializer, **error_responses(400, 403, 404)})
    @action(detail=False, methods=["post"])
    def review(self, request):
        data = s.QuarterReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        subdistrict = forms.row(Region, v["subdistrict"], "subdistrict", Region.objects.filter(level=RegionLevel.SUBDISTRICT))
        period = actions.review_quarter(actor=request.user, subdistrict=subdistrict, year=v["year"],
                                        quarter=v["quarter"], min_ratings=v["min_ratings"], note=v.get("note", ""))
        return Response(s.QuarterSerializer(period).data)

    @extend_schema(summary="Publish a reviewed quarter (immutable afterwards)", request=s.NeighbourhoodConfirmSerializer,
                   responses={200: s.QuarterSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        _confirmed(request)
        period = actions.publish_quarter(actor=request.user, period=self.get_object())
        return Response(s.QuarterSerializer(RatingPeriod.objects.get(pk=period.pk)).data)


