from django.urls import path

from . import views

app_name = "keypersons"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.register, name="register"),
    path("quick/", views.quick, name="quick"),
    path("coverage/", views.coverage, name="coverage"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/retire/", views.retire, name="retire"),
]
