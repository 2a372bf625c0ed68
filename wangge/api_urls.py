from django.urls import include, path

urlpatterns = [
    path("", include("wangge.cases.api.urls")),
    path("", include("wangge.org.api.urls")),
]
