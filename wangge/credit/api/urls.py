from django.urls import path

from . import views

urlpatterns = [
    path("credit/rules/", views.RuleListView.as_view(), name="credit-rule-list"),
    path("credit/accounts/", views.AccountListView.as_view(), name="credit-account-list"),
    path("credit/accounts/<int:pk>/", views.AccountDetailView.as_view(), name="credit-account-detail"),
    path("credit/accounts/<int:pk>/entries/", views.EntryListView.as_view(), name="credit-account-entries"),
    path("credit/accounts/<int:pk>/awards/", views.AwardView.as_view(), name="credit-account-award"),
    path("credit/entries/<int:pk>/correct/", views.CorrectView.as_view(), name="credit-entry-correct"),
    path("credit/items/", views.ItemListView.as_view(), name="credit-item-list"),
    path("credit/items/<int:pk>/redeem/", views.CounterRedeemView.as_view(), name="credit-item-redeem"),
    path("credit/redeem-code/", views.CodeRedeemView.as_view(), name="credit-redeem-code"),
    path("credit/leaderboards/<int:community>/", views.LeaderboardView.as_view(), name="credit-leaderboard"),
]
