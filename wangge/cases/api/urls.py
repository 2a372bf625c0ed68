from django.urls import path

from . import views

case_list = views.CaseViewSet.as_view({"get": "list", "post": "create"})
case_detail = views.CaseViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("cases/", case_list, name="case-list"),
    path("queue/", views.WorkQueueView.as_view(), name="work-queue"),
    path("cases/changes/", views.CaseChangesView.as_view(), name="case-changes"),
    path("cases/caller-search/", views.CaseViewSet.as_view({"post": "caller_search"}), name="case-caller-search"),
    path("cases/<str:number>/", case_detail, name="case-detail"),
    path("cases/<str:number>/attachments/<int:attachment_id>/", views.AttachmentDownloadView.as_view(),
         name="case-attachment"),
    path("cases/<str:number>/reveal-reporter/", views.RevealReporterView.as_view(), name="case-reveal-reporter"),
    *[
        path(f"cases/<str:number>/{spec.slug}/", view.as_view(), name=f"case-{spec.slug}")
        for spec, view in views.ACTION_VIEWS
    ],
    path("cases/<str:number>/extensions/<int:extension_id>/approve/", views.extension_view(True).as_view(),
         name="case-extension-approve"),
    path("cases/<str:number>/extensions/<int:extension_id>/deny/", views.extension_view(False).as_view(),
         name="case-extension-deny"),
    path("categories/", views.CategoryTreeView.as_view(), name="category-tree"),
    path("sla-policies/", views.SlaPolicyListView.as_view(), name="sla-policy-list"),
]
