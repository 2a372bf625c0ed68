from django.urls import path

from . import phone_views, views

app_name = "neighbourhood"

urlpatterns = [
    # Staff pages (三长 · 三问 · 三联 · 三评)
    path("neighbourhood/", views.home, name="home"),
    path("neighbourhood/needs/", views.needs, name="needs"),
    path("neighbourhood/needs/export.xlsx", views.needs_export, name="needs_export"),
    path("neighbourhood/needs/new/", views.need_new, name="need_new"),
    path("neighbourhood/needs/<int:pk>/", views.need, name="need"),
    path("neighbourhood/needs/<int:pk>/residents/", views.need_residents, name="need_residents"),
    path("neighbourhood/needs/<int:pk>/<str:op>/", views.need_op, name="need_op"),
    path("neighbourhood/chiefs/", views.chiefs, name="chiefs"),
    path("neighbourhood/chiefs/<int:pk>/end/", views.chief_end, name="chief_end"),
    path("neighbourhood/chiefs/<int:pk>/login-link/", views.chief_login_link, name="chief_login_link"),
    path("neighbourhood/coverage/", views.coverage, name="coverage"),
    path("neighbourhood/resources/", views.resources, name="resources"),
    path("neighbourhood/resources/<int:pk>/", views.resource, name="resource"),
    path("neighbourhood/resources/<int:pk>/contact/", views.resource_contact, name="resource_contact"),
    path("neighbourhood/resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("neighbourhood/services/", views.services, name="services"),
    path("neighbourhood/services/<int:pk>/", views.service, name="service"),
    path("neighbourhood/services/<int:pk>/qr.svg", views.service_qr, name="service_qr"),
    path("neighbourhood/questionnaires/", views.questionnaires, name="questionnaires"),
    path("neighbourhood/questionnaires/<int:pk>/close/", views.questionnaire_close, name="questionnaire_close"),
    path("neighbourhood/questionnaires/<int:pk>/qr.svg", views.questionnaire_qr, name="questionnaire_qr"),
    path("neighbourhood/ratings/", views.ratings, name="ratings"),
    path("neighbourhood/ratings/<int:pk>/publish/", views.period_publish, name="period_publish"),
    path("neighbourhood/evaluation/", views.evaluation, name="evaluation"),
    path("neighbourhood/figures/", views.figures, name="figures"),
    # Phone pages: the chief's, and the residents' (signed links)
    path("nb/enter/<str:uid>/<str:token>/", phone_views.enter, name="enter"),
    path("nb/me/", phone_views.chief_home, name="chief_home"),
    path("nb/me/needs/<int:pk>/", phone_views.chief_need, name="chief_need"),
    path("nb/me/visit/", phone_views.chief_visit, name="chief_visit"),
    path("nb/me/services/<int:pk>/", phone_views.chief_service, name="chief_service"),
    path("nb/ask/<str:token>/", phone_views.ask, name="ask"),
    path("nb/rate/<str:token>/", phone_views.rate, name="rate"),
    path("nb/fixed/<str:token>/", phone_views.follow_up, name="follow_up"),
    path("nb/scores/", phone_views.scores, name="scores"),
    path("nb/scores/<int:pk>/", phone_views.score_period, name="score_period"),
]
