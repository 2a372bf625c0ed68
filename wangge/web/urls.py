from django.urls import path

from . import account_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("desk/", views.switch_desk, name="switch_desk"),
    path("field/report/", views.field_report, name="field_report"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.xlsx", views.case_list_export, name="case_list_export"),
    path("cases/bulk-dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("cases/columns/", views.save_list_columns, name="save_list_columns"),
    path("cases/filters/", views.saved_filter_create, name="saved_filter_create"),
    path("cases/filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("cases/new/", views.hotline, name="hotline"),
    path("cases/new/caller/", views.hotline_caller, name="hotline_caller"),
    path("cases/new/similar/", views.hotline_similar, name="hotline_similar"),
    path("cases/new/suggest/", views.hotline_suggest, name="hotline_suggest"),
    path("cases/new/locate/", views.locate, name="locate"),
    path("cases/new/places/", views.places, name="places"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/do/<slug:action>/", views.case_action, name="case_action"),
    path("cases/<str:number>/reporter/", views.reveal_reporter, name="reveal_reporter"),
    path("cases/<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/digest/", views.notification_digest, name="notification_digest"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("account/", account_views.account, name="account"),
]
