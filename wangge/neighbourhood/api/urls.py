from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("neighbourhood/chiefs", views.ChiefViewSet, basename="nb-chief")
router.register("neighbourhood/needs", views.NeedViewSet, basename="nb-need")
router.register("neighbourhood/resources", views.ResourceViewSet, basename="nb-resource")
router.register("neighbourhood/services", views.ServiceViewSet, basename="nb-service")
router.register("neighbourhood/quarters", views.PeriodViewSet, basename="nb-quarter")

urlpatterns = [
    path("neighbourhood/coverage/", views.CoverageView.as_view(), name="nb-coverage"),
    *router.urls,
]
