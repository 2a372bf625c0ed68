from django.urls import path

from . import tokens, views

urlpatterns = [
    path("auth/token/", tokens.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("regions/", views.RegionViewSet.as_view({"get": "list"}), name="region-list"),
    path("regions/<int:pk>/", views.RegionViewSet.as_view({"get": "retrieve"}), name="region-detail"),
    path("grids.geojson", views.GridFeaturesView.as_view(), name="grid-geojson"),
    path("grids/lookup/", views.GridLookupView.as_view(), name="grid-lookup"),
    path("departments/", views.DepartmentViewSet.as_view({"get": "list"}), name="department-list"),
    path("departments/<int:pk>/", views.DepartmentViewSet.as_view({"get": "retrieve"}), name="department-detail"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/mark-read/", views.NotificationMarkReadView.as_view(), name="notification-mark-read"),
]
