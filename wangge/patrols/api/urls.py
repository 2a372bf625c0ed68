from django.urls import path

from . import views

urlpatterns = [
    path("patrols/points/", views.PointListView.as_view(), name="patrol-point-list"),
    path("patrols/points/<int:pk>/", views.PointDetailView.as_view(), name="patrol-point-detail"),
    path("patrols/slots/due-today/", views.DueTodayView.as_view(), name="patrol-due-today"),
    path("patrols/slots/<int:pk>/cancel/", views.CancelSlotView.as_view(), name="patrol-slot-cancel"),
    path("patrols/check-ins/", views.CheckInListView.as_view(), name="patrol-checkin-list"),
    path("patrols/check-ins/<int:pk>/", views.CheckInDetailView.as_view(), name="patrol-checkin-detail"),
    path("patrols/findings/", views.FindingListView.as_view(), name="patrol-finding-list"),
    path("patrols/figures/", views.FiguresView.as_view(), name="patrol-figures"),
    path("patrols/officers/", views.OfficerListView.as_view(), name="patrol-officer-list"),
    path("patrols/cases/<str:number>/whistle/", views.WhistleView.as_view(), name="patrol-whistle"),
]
