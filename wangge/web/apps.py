from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "wangge.web"
    label = "web"
    verbose_name = _("Staff workbench and resident pages")
