from django.urls import path

from . import views

app_name = "patrols"

urlpatterns = [
    path("", views.today_page, name="today"),
    path("points/", views.points_page, name="points"),
    path("points/<int:pk>/check-in/", views.checkin_page, name="checkin_form"),
    path("p/<str:token>/", views.plate_page, name="plate"),
    path("check-ins/<int:pk>/", views.checkin_detail, name="checkin"),
    path("slots/<int:pk>/cancel/", views.cancel_slot, name="cancel_slot"),
    path("route/", views.route_page, name="route"),
    path("figures/", views.figures_page, name="figures"),
    path("cases/<str:number>/whistle/", views.whistle, name="whistle"),
]
