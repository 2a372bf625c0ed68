"""The floor intake is measured against (issue: intake reaches half of it): a bare DRF endpoint
that parses the same JSON and inserts one row, served by the same gunicorn configuration with the
same settings and middleware — everything Wangge adds on top (authentication by token, scope,
validation, the grid look-up, the resident, numbering, deadlines, the timeline) is what the
ratio prices. Served with ``DJANGO_SETTINGS_MODULE=benchmarks.bare_settings``; this module is its URLconf."""

from django.db import connection
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

TABLE = "bench_bare_intake"
CREATE_TABLE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL, "
                f"created_at timestamptz NOT NULL DEFAULT now())")


class BareIntake(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        import json

        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s) RETURNING id", [json.dumps(request.data)])
            row_id = cursor.fetchone()[0]
        return Response({"id": row_id}, status=201)


urlpatterns = [path("api/v1/cases/", BareIntake.as_view())]
