"""What the WeChat intake does when a resident is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from django.db.models import Q

from wangge.residents.masking import redact_rows, redactor

from .models import WechatConversation, WechatMessage


def forget_erased_resident(sender, *, resident, openids=(), phone: str = "", name: str = "", **kwargs) -> None:
    """The resident's conversations (what they were telling us, their OpenID, where they stood)
    go; the record of each message received stays — its case, its time — without the sender, and
    its reply without the erased number and name (a reply may repeat what they wrote)."""
    openids = [openid for openid in openids if openid]
    WechatConversation.objects.filter(Q(resident=resident) | Q(openid__in=openids)).delete()
    redact = redactor(phones=[phone], names=[name])
    redact_rows(WechatMessage.objects.filter(Q(openid__in=openids) | Q(case__reporter=resident)).exclude(reply=""),
                redact, ["reply"])
    if openids:
        WechatMessage.objects.filter(openid__in=openids).update(openid="")
