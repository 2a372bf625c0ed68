from django.urls import path

from . import views

app_name = "wechat"

urlpatterns = [
    path("<slug:slug>/", views.callback, name="callback"),
]
