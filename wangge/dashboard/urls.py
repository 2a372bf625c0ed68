from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("report/", views.monthly_report, name="report"),
    path("urge/<str:number>/", views.urge, name="urge"),
]
