"""Outbox gateways for WeChat (select them in ``WANGGE_OUTBOX_GATEWAYS``)::

    WANGGE_OUTBOX_GATEWAYS = {
        "wechat_template": "wangge.intake.wechat.gateways.WechatGateway",
        "wechat_custom": "wangge.intake.wechat.gateways.WechatGateway",
        ...
    }

``wechat_template``: a template message (模板消息) when the account's console gave a template id
for the message's template key (``WechatAccount.template_ids``), else a customer-service text.
``wechat_custom``: a customer-service text message (客服消息; WeChat takes these within 48 hours
of the resident's last message). WeChat has no client-side message id: a message re-sent after a
worker died between WeChat's answer and the outbox's "sent" may arrive twice (rare; the outbox's
lease keeps it to that one case).
"""

from __future__ import annotations

from wangge.notifications.gateways import (
    Envelope,
    Gateway,
    GatewayError,
    PermanentGatewayError,
)

from .client import client_for
from .models import WechatAccount

# Our template keys that have no template of their own in WeChat's console: they go out as the
# console template of another key (the same fields; the remark carries our words). The answer to a
# merged report's reporter is an answer (办结通知) — never a customer-service text, which WeChat
# takes only within 48 hours of the resident's last message.
CONSOLE_TEMPLATE_OF = {"wechat_merged_case_resolved": "wechat_case_resolved"}

# Errors that will not go away on a retry: bad OpenID, unsubscribed, outside the 48-hour window,
# template id wrong or deleted.
PERMANENT = {40003, 40037, 43004, 45015, 45047, 43019}


class WechatGateway(Gateway):
    def send(self, message: Envelope) -> str:
        app_id = (message.context or {}).get("app_id", "")
        account = WechatAccount.objects.filter(app_id=app_id, enabled=True).first()
        if account is None:
            raise PermanentGatewayError(f"no enabled official account {app_id!r}")
        client = client_for(account)
        template_id = _template_id(account, message.template) if message.channel == "wechat_template" else ""
        try:
            if template_id:
                context = message.context or {}
                data = {"first": {"value": message.title or message.body[:40]},
                        "keyword1": {"value": context.get("number", "")},
                        "keyword2": {"value": context.get("due") or context.get("answer") or context.get("reason")
                                     or context.get("into") or ""},
                        "remark": {"value": message.body}}
                result = client.message.send_template(message.to, template_id, data,
                                                      url=context.get("rate_url") or context.get("track_url"))
            else:
                result = client.message.send_text(message.to, message.body)
        except Exception as exc:
            code = getattr(exc, "errcode", None)
            if code in PERMANENT:
                raise PermanentGatewayError(f"WeChat {code}: {exc}") from exc
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        return str((result or {}).get("msgid") or self.message_id(message))


def _template_id(account: WechatAccount, template: str) -> str:
    ids = account.template_ids or {}
    return ids.get(template) or ids.get(CONSOLE_TEMPLATE_OF.get(template, "")) or ""
