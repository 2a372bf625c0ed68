from django.urls import path

from . import views

app_name = "intake_duplicates"

urlpatterns = [
    path("candidates/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("candidates/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("join/", views.join, name="join"),
]
