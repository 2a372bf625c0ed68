from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wangge.core"
    label = "core"
    verbose_name = "核心"
