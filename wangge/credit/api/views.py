"""/api/v1/credit/ — the ledger and the store for staff and merchants. Thin: selectors read
(scoped, masked), actions write; refusals come back in the API's error format."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import error_responses
from wangge.core.errors import NotFound
from wangge.core.ratelimit import Limit

from .. import actions, permissions, selectors
from ..errors import NotAllowed
from ..models import CreditAccount, CreditRule, LedgerEntry
from . import serializers as s


def _desk(user) -> None:
    if not permissions.may_use_credit_desk(user):
        raise NotAllowed()


@extend_schema_view(get=extend_schema(summary="Credit rules (积分规则)", responses={200: s.RuleSerializer(many=True),
                                                                              **error_responses()}))
class RuleListView(generics.ListAPIView):
    serializer_class = s.RuleSerializer
    queryset = CreditRule.objects.order_by("code")


@extend_schema_view(get=extend_schema(summary="Credit accounts in your territory (holders masked)",
                                      responses={200: s.AccountSerializer(many=True), **error_responses(403)}))
class AccountListView(generics.ListAPIView):
    serializer_class = s.AccountSerializer
    queryset = CreditAccount.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        _desk(self.request.user)
        return selectors.accounts_visible_to(self.request.user).order_by("pk")


class AccountDetailView(APIView):
    @extend_schema(summary="One credit account (constant-time balance)",
                   responses={200: s.AccountSerializer, **error_responses(404)})
    def get(self, request, pk: int):
        return Response(s.AccountSerializer(selectors.account_for(request.user, pk)).data)


@extend_schema_view(get=extend_schema(summary="An account's ledger entries, newest first",
                                      responses={200: s.EntrySerializer(many=True), **error_responses(404)}))
class EntryListView(generics.ListAPIView):
    serializer_class = s.EntrySerializer
    queryset = LedgerEntry.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        account = selectors.account_for(self.request.user, self.kwargs["pk"])
        return LedgerEntry.objects.filter(account=account).select_related("rule").order_by("-seq")


class AwardView(APIView):
    @extend_schema(summary="Award credit by a rule (idempotent by request_key)", request=s.AwardInput,
                   responses={201: s.EntrySerializer, 200: s.EntrySerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        account = selectors.account_for(request.user, pk)
        data = s.AwardInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = CreditRule.objects.filter(code=data.validated_data["rule"]).first()
        if rule is None:
            raise NotFound()
        entry = actions.award_credit(actor=request.user, account=account, rule=rule,
                                     quantity=data.validated_data["quantity"], note=data.validated_data["note"],
                                     request_key=data.validated_data["request_key"])
        return Response(s.EntrySerializer(entry).data,
                        status=status.HTTP_200_OK if entry.replayed else status.HTTP_201_CREATED)


class CorrectView(APIView):
    @extend_schema(summary="Reverse an entry (更正: a reversing entry, never an edit)", request=s.CorrectInput,
                   responses={201: s.EntrySerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        entry = LedgerEntry.objects.filter(pk=pk).first()
        if entry is None:
            raise NotFound()
        selectors.account_for(request.user, entry.account_id)  # 404 outside the territory
        data = s.CorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        fix = actions.correct_entry(actor=request.user, entry=entry, reason=data.validated_data["reason"])
        return Response(s.EntrySerializer(fix).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Store items of your communities (德誉超市)",
                                      responses={200: s.ItemSerializer(many=True), **error_responses()}))
class ItemListView(generics.ListAPIView):
    serializer_class = s.ItemSerializer

    def get_queryset(self):
        return selectors.items_visible_to(self.request.user).order_by("pk")


class CounterRedeemView(APIView):
    @extend_schema(summary="Hand an item out at the counter: stock and credit taken together",
                   request=s.CounterInput, responses={201: s.RedemptionSerializer, 200: s.RedemptionSerializer,
                                                      **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        item = selectors.item_for(request.user, pk)
        data = s.CounterInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = selectors.account_for(request.user, data.validated_data["account"])
        redemption = actions.redeem_at_counter(actor=request.user, account=account, item=item,
                                               request_key=data.validated_data["request_key"])
        return Response(s.RedemptionSerializer(redemption).data,
                        status=status.HTTP_200_OK if redemption.replayed else status.HTTP_201_CREATED)


class CodeRedeemView(APIView):
    @extend_schema(summary="Redeem a resident's code (核销) — merchants and counter staff",
                   request=s.CodeInput, responses={201: s.RedemptionSerializer, **error_responses(400, 403)})
    def post(self, request):
        if permissions.merchant_of(request.user) is None and not permissions.may_use_credit_desk(request.user):
            raise NotAllowed()
        data = s.CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not Limit.named("credit_code").hit(f"user:{request.user.pk}"):
            return Response({"error": {"code": "throttled", "message": "Too many codes entered.", "fields": {},
                                       "codes": {}}}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        redemption = actions.redeem_code(actor=request.user, code=data.validated_data["code"])
        return Response(s.RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class LeaderboardView(APIView):
    @extend_schema(summary="A community's leaderboard (opted-in residents only, names masked)",
                   responses={200: dict, **error_responses(404)})
    def get(self, request, community: int):
        if not any(c.pk == community for c in selectors.communities_for(request.user)):
            raise NotFound()
        return Response({"results": selectors.leaderboard(community)})
