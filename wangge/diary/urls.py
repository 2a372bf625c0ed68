from django.urls import path

from . import views

app_name = "diary"

urlpatterns = [
    path("", views.today, name="today"),
    path("team/", views.team, name="team"),
    path("note/", views.note, name="note"),
    path("days/<int:pk>/correction/", views.correction, name="correction"),
    path("days/<int:pk>/sign/", views.sign, name="sign"),
    path("<int:worker_id>/<str:day>/", views.day, name="day"),
    path("<int:worker_id>/month/<str:month>.<str:fmt>", views.month, name="month"),
]
