"""What the WeChat intake does when a resident is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from django.db.models import Q

from .models import WechatConversation, WechatMessage


def forget_erased_resident(sender, *, resident, openids=(), **kwargs) -> None:
    """The resident's conversations (what they were telling us, their OpenID, where they stood)
    go; the record of each message received stays — its case, its time — without the sender."""
    openids = [openid for openid in openids if openid]
    WechatConversation.objects.filter(Q(resident=resident) | Q(openid__in=openids)).delete()
    if openids:
        WechatMessage.objects.filter(openid__in=openids).update(openid="")
