"""开通检查: an enabled official account needs the platform's public address (registered in
``WechatConfig.ready``; see ``wangge.core.readiness``)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from wangge.core.readiness import admin_url, public_address_result, register_check

from .models import WechatAccount


def public_address():
    """The tracking links in the account's replies carry ``WANGGE_PUBLIC_BASE_URL``."""
    return public_address_result(in_use=WechatAccount.objects.filter(enabled=True).exists(),
                                 channel=_("WeChat official account"),
                                 url=admin_url("intake_wechat", "wechataccount"))


def register() -> None:
    register_check("intake_wechat.public_address", pgettext_lazy("readiness", "WeChat channel"),
                   public_address, order=90)
