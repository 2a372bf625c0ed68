from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/open/", views.open_account, name="open_account"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/award/", views.award, name="award"),
    path("accounts/<int:pk>/counter/", views.counter, name="counter"),
    path("accounts/<int:pk>/send-link/", views.send_link, name="send_link"),
    path("entries/<int:pk>/correct/", views.correct, name="correct"),
    path("disputes/<int:pk>/resolve/", views.resolve_dispute, name="resolve_dispute"),
    path("store/", views.store, name="store"),
    path("store/items/", views.item_create, name="item_create"),
    path("store/items/<int:pk>/restock/", views.item_restock, name="item_restock"),
    path("store/items/<int:pk>/toggle/", views.item_toggle, name="item_toggle"),
    path("redeem/", views.redeem_code, name="redeem_code"),
    path("figures/", views.figures, name="figures"),
    # The resident's phone page: anything after me/ is the signed token, checked by the view.
    path("me/<str:token>/", views.resident, name="resident"),
    path("me/<str:token>/code/", views.resident_code, name="resident_code"),
    path("me/<str:token>/leaderboard/", views.resident_opt_in, name="resident_opt_in"),
    path("me/<str:token>/dispute/", views.resident_dispute, name="resident_dispute"),
]
