"""网格长工作日记 — the grid worker's work diary, compiled from what the field apps record."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiaryConfig(AppConfig):
    name = "wangge.diary"
    label = "diary"
    verbose_name = _("Work diary")
    default_auto_field = "django.db.models.BigAutoField"
