from django.urls import path

from . import mydata, views

app_name = "portal"

urlpatterns = [
    path("", views.report, name="home"),
    path("report/", views.report, name="report"),
    path("report/done/<slug:token>/", views.reported, name="reported"),
    path("track/", views.track, name="track"),
    path("t/<slug:token>/", views.case_page, name="case"),
    path("t/<slug:token>/rate/", views.rate, name="rate"),
    path("t/<slug:token>/photos/<int:pk>/", views.photo, name="photo"),
    # 我的个人信息 (PIPL self-service): the phone number is posted, never part of an address.
    path("mydata/", mydata.start, name="mydata"),
    path("mydata/code/", mydata.verify, name="mydata_verify"),
    path("mydata/me/", mydata.me, name="mydata_me"),
    path("mydata/request/", mydata.request_change, name="mydata_request"),
    path("mydata/leave/", mydata.leave, name="mydata_leave"),
    path("grids.json", views.grids, name="grids"),
    path("places.json", views.places, name="places"),
]
