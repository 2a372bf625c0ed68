from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("schedules/new/", views.new_schedule, name="new_schedule"),
    path("figures/", views.figures, name="figures"),
    path("public/<int:community_id>/", views.public, name="public"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/items/add/", views.add_item, name="add_item"),
    path("<int:pk>/items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
    path("<int:pk>/items/<int:item_id>/decide/", views.decide, name="decide"),
    path("<int:pk>/items/<int:item_id>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/participants/add/", views.add_participant, name="add_participant"),
    path("<int:pk>/topics/add/", views.raise_topic, name="raise_topic"),
    path("<int:pk>/topics/<int:topic_id>/vet/", views.vet_topic, name="vet_topic"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/day/", views.day, name="day"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes.pdf", views.minutes_file, name="minutes_file"),
]
