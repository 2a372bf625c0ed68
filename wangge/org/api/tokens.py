"""POST /api/v1/auth/token/: username + password → a new API token (接口令牌).

The password goes through ``django.contrib.auth.authenticate(request=…)``, so django-axes counts
failures here exactly as on the sign-in page and the admin, and a locked-out account or address
gets the JSON lockout answer (``web.account_views.lockout``)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from wangge.core.api import ErrorSerializer, InputSerializer

from .. import services
from ..models import User


class TokenRequestSerializer(InputSerializer):
    # No longer than a username can be: a longer one would reach django-axes' record of the
    # failure, whose column is shorter (a 500 on PostgreSQL, found by the API fuzzer).
    username = serializers.CharField(max_length=User._meta.get_field("username").max_length)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, max_length=100,
                                 help_text="What the token is for (shown in your account page). Default: API.")
    days = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_TOKEN_DAYS,
                                    default=services.DEFAULT_TOKEN_DAYS, help_text="Days until the token expires.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`. Shown only this once.")
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """username + password → a new token, valid for ``days`` days (revoke it in your account page)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Get an API token", request=TokenRequestSerializer,
                   responses={200: TokenSerializer,
                              400: OpenApiResponse(ErrorSerializer, description="Wrong credentials."),
                              429: OpenApiResponse(ErrorSerializer, description="Too many failed sign-ins: "
                                                   "the account or the address is locked for a while.")},
                   auth=[], operation_id="auth_token")
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The Django request, not DRF's wrapper: axes marks a lockout on the object it is given,
        # and its middleware looks at the Django request.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        token, key = services.issue_api_token(user=user, name=data.get("name") or "API", days=data["days"])
        # Through the serializer: its time in the platform's time zone (+08:00), as every other
        # time the API gives — not the stored UTC ("…Z").
        return Response(TokenSerializer({"token": key, "name": token.name, "expires_at": token.expires_at}).data)
