from django.urls import path

from . import views

app_name = "intake_qrcodes"

urlpatterns = [
    path("qrcodes/", views.codes, name="codes"),
    path("qrcodes/<int:pk>/sheet.<str:fmt>", views.sheet, name="sheet"),
    path("qrcodes/<int:pk>/retire/", views.retire, name="retire"),
    path("qrcodes/community/<int:pk>/sheets/", views.batch, name="batch"),
    path("qrcodes/community/<int:pk>/make/", views.make_missing, name="make_missing"),
    # The address printed in every code: anything after q/ is the token, checked by the view
    # (``path``, so a mangled token still reaches the page that explains, not a bare 404).
    path("q/<path:token>/", views.scan, name="scan"),
]
