from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from wangge.core.health import healthz

urlpatterns = [
    # Health for monitoring and load balancers (JSON, 200 / 503, no login): wangge.core.health.
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/", include("wangge.api_urls")),
    path("", include("wangge.web.auth_urls")),
    path("", include("wangge.web.urls")),
    path("dashboard/", include("wangge.dashboard.urls")),
    path("r/", include("wangge.portal.urls")),
    path("intake/12345/", include("wangge.intake.hotline12345.urls")),  # 12345 hand-over import
    path("", include("wangge.intake.qrcodes.urls")),  # 码上办: /q/<token>/ scans, /qrcodes/ printing
    path("", include("wangge.neighbourhood.urls")),  # 三问三联三评: /neighbourhood/ staff, /nb/ phone pages
    path("wechat/", include("wangge.intake.wechat.urls")),  # official-account callbacks
    path("open311/v2/", include("wangge.intake.open311.urls")),
    path("intake/duplicates/", include("wangge.intake.duplicates.urls")),  # confirm / dismiss, "add me"
    path("meetings/", include("wangge.meetings.urls")),  # 协商议事: convener pages, /meetings/public/<community>/
    path("credit/", include("wangge.credit.urls")),  # 信用积分: staff desk, store, merchant 核销, resident page
    path("patrols/", include("wangge.patrols.urls")),  # 巡查: the worker's phone pages, points, figures
    path("keypersons/", include("wangge.keypersons.urls")),  # 重点人员 六访六到六报
    path("diary/", include("wangge.diary.urls")),  # 网格长工作日记
]

# API paths answer a 404 in the API's JSON error format, other paths with the HTML page.
handler404 = "wangge.core.api.page_not_found"
# The platform's 500 page, with the request id the log lines carry (wangge.core.requestid).
handler500 = "wangge.core.requestid.server_error"
