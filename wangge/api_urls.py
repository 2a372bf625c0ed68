"""/api/v1/ — the REST API (documented at /api/schema/ and /api/docs/)."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("wangge.cases.api.urls")),
    path("", include("wangge.org.api.urls")),
    path("", include("wangge.neighbourhood.api.urls")),
    path("", include("wangge.meetings.api.urls")),
    path("", include("wangge.credit.api.urls")),
    path("", include("wangge.patrols.api.urls")),
    path("", include("wangge.keypersons.api.urls")),
    path("", include("wangge.diary.api.urls")),
]
