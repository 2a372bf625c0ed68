from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    """居民服务 — the public pages where residents report a problem, track it and rate the answer."""

    name = "wangge.portal"
    label = "portal"
    verbose_name = pgettext_lazy("resident", "Resident pages")

    def ready(self):
        from wangge.cases.channels import register_source

        from . import checks  # noqa: F401  (registers the deployment check)
        from .ratelimit import register_limit

        # Every post of the report form per client address, valid or not: a ceiling against
        # floods, far above the filed reports ("report") that a shared address may send.
        register_limit("report_attempt", 200, 3600)
        # 我的个人信息 (mydata.py): codes sent per number and per client address, code checks per
        # client address (each code also takes only five wrong tries).
        register_limit("mydata_code_phone", 3, 3600)
        register_limit("mydata_code_ip", 10, 3600)
        register_limit("mydata_verify_ip", 30, 600)
        register_source("portal")  # the report form's keys (views.PORTAL_SOURCE): not for API callers
