from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.report, name="home"),
    path("report/", views.report, name="report"),
    path("report/done/<slug:token>/", views.reported, name="reported"),
    path("track/", views.track, name="track"),
    path("t/<slug:token>/", views.case_page, name="case"),
    path("t/<slug:token>/rate/", views.rate, name="rate"),
    path("t/<slug:token>/photos/<int:pk>/", views.photo, name="photo"),
    path("grids.json", views.grids, name="grids"),
    path("places.json", views.places, name="places"),
]
