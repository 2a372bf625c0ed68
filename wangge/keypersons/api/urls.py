from django.urls import path

from . import views

urlpatterns = [
    path("keypersons/", views.KeyPersonListView.as_view(), name="keyperson-list"),
    path("keypersons/due/", views.DueView.as_view(), name="keyperson-due"),
    path("keypersons/coverage/", views.CoverageView.as_view(), name="keyperson-coverage"),
    path("keypersons/tags/", views.TagListView.as_view(), name="keyperson-tags"),
    path("keypersons/attendance/", views.AttendanceView.as_view(), name="keyperson-attendance"),
    path("keypersons/quick-reports/", views.QuickReportView.as_view(), name="keyperson-quick-reports"),
    path("keypersons/<int:pk>/", views.KeyPersonDetailView.as_view(), name="keyperson-detail"),
    path("keypersons/<int:pk>/reveal/", views.RevealView.as_view(), name="keyperson-reveal"),
    path("keypersons/<int:pk>/retire/", views.RetireView.as_view(), name="keyperson-retire"),
    path("keypersons/<int:pk>/visits/", views.VisitsView.as_view(), name="keyperson-visits"),
]
