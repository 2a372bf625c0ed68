from django.urls import path

from . import views

urlpatterns = [
    path("diary/days/", views.DayListView.as_view(), name="diary-day-list"),
    path("diary/day/", views.DayView.as_view(), name="diary-day"),
    path("diary/notes/", views.NoteView.as_view(), name="diary-notes"),
    path("diary/days/<int:pk>/corrections/", views.CorrectionView.as_view(), name="diary-corrections"),
    path("diary/days/<int:pk>/sign/", views.SignView.as_view(), name="diary-sign"),
]
