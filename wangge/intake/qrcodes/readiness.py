"""开通检查: active 码上办 codes need the platform's public address (registered in
``QrCodesConfig.ready``; see ``wangge.core.readiness``)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from wangge.core.readiness import admin_url, public_address_result, register_check

from .models import QrCode


def public_address():
    """Every printed code opens ``WANGGE_PUBLIC_BASE_URL`` + its scan path."""
    return public_address_result(in_use=QrCode.objects.filter(is_active=True).exists(),
                                 channel=_("QR codes (码上办)"),
                                 url=admin_url("intake_qrcodes", "qrcode"))


def register() -> None:
    register_check("intake_qrcodes.public_address", pgettext_lazy("readiness", "QR code channel"),
                   public_address, order=91)
