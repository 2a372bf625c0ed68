"""The callback URL of an official account: ``/wechat/<slug>/`` (GET: URL verification; POST:
messages and events). Thin: checks the request (``protocol``), hands the message to
``actions.receive_message`` and renders its answer as WeChat's passive reply."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import actions, protocol
from .choices import EncryptionMode
from .models import WechatAccount
from .protocol import Refused

log = logging.getLogger("wangge.intake.wechat")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request, slug: str):
    account = WechatAccount.objects.filter(slug=slug, enabled=True).select_related("region").first()
    if account is None:
        raise Http404()
    # WeChat's servers send no Accept-Language: answer in the platform's language.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if request.method == "GET":
                return _verify(request, account)
            return _receive(request, account)
        except Refused as refused:
            log.warning("wechat %s: refused (%s)", account.app_id, refused.code)
            return HttpResponse(str(refused.reason), status=refused.status, content_type="text/plain; charset=utf-8")


def _verify(request, account) -> HttpResponse:
    """URL verification (服务器配置): echo ``echostr`` when the signature is ours."""
    q = request.GET
    protocol.check_timestamp(q.get("timestamp"))
    protocol.check_signature(q.get("signature"), account.token, q.get("timestamp", ""), q.get("nonce", ""))
    return HttpResponse(q.get("echostr", ""), content_type="text/plain")


def _receive(request, account) -> HttpResponse:
    q = request.GET
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > protocol.MAX_BODY_BYTES:
        raise Refused(413, _too_large(), "too_large")
    body = request.body
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    protocol.check_timestamp(timestamp)
    encrypted = q.get("encrypt_type", "raw").lower() == "aes"
    if encrypted and account.mode == EncryptionMode.PLAINTEXT:
        raise Refused(400, _mode_error(), "mode")
    if not encrypted and account.mode == EncryptionMode.SAFE:
        raise Refused(400, _mode_error(), "mode")
    if not encrypted:
        # The plaintext signature covers no body: check it before reading anything a stranger sent.
        protocol.check_signature(q.get("signature"), account.token, timestamp, nonce)
    outer = protocol.parse_xml(body)
    if encrypted:
        # Safe and compatible modes: the msg_signature over the ciphertext is the one that counts.
        ciphertext = outer.get("Encrypt") or ""
        if not isinstance(ciphertext, str) or not ciphertext:
            raise Refused(400, _mode_error(), "mode")
        protocol.check_signature(q.get("msg_signature"), account.token, timestamp, nonce, ciphertext)
        inner = protocol.decrypt(token=account.token, aes_key=account.encoding_aes_key, app_id=account.app_id,
                                 encrypted=ciphertext)
        fields = protocol.parse_xml(inner)
    else:
        fields = outer
    message = protocol.message_from(fields)
    text = actions.receive_message(account=account, message=message, nonce=nonce, digest=protocol.body_digest(body))
    reply = protocol.render_reply(
        message=message, text=text, nonce=nonce, timestamp=timestamp,
        encrypt_with=(account.token, account.encoding_aes_key, account.app_id) if encrypted else None)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8" if text else "text/plain")


def _too_large():
    from django.utils.translation import gettext

    return gettext("The message is too large.")


def _mode_error():
    from django.utils.translation import gettext

    return gettext("The message does not match the account's encryption mode.")
