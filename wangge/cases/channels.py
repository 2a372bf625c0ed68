"""受理渠道 — the channels a case can come by, registered by the apps that run them.

``cases`` registers the ones the case desk itself knows; an intake app (WeChat, QR codes,
Open311, 12345) registers its own in ``AppConfig.ready()``::

    register_channel("open311", _("Open311"), resident=True, actors={"integration"}, icon="globe")

``resident`` marks a channel residents report on themselves (figures by channel, the reply on
the channel they came by); ``actors`` lists the kinds of actor (``core.actors.ActorKind``) that
may file on it — staff may file on every channel.
"""

from __future__ import annotations

from wangge.core.actors import ActorKind
from wangge.core.registry import Registry

from .choices import Channel

channels = Registry("channels")


def register_channel(value: str, label, *, resident: bool = False, actors=(), icon: str = ""):
    allowed = frozenset({ActorKind.STAFF, ActorKind.SYSTEM, *actors})
    return channels.register(value, label, resident=resident, actors=allowed, icon=icon)


def may_file_on(channel: str, actor_kind: str) -> bool:
    entry = channels.get(channel)
    return entry is not None and actor_kind in entry.actors


def resident_channels() -> set[str]:
    return {e.value for e in channels.where(resident=True)}


_R, _I = ActorKind.RESIDENT, ActorKind.INTEGRATION
register_channel(Channel.HOTLINE, Channel.HOTLINE.label, icon="phone")
register_channel(Channel.WECHAT, Channel.WECHAT.label, resident=True, actors={_R, _I}, icon="wechat")
register_channel(Channel.QR_PAGE, Channel.QR_PAGE.label, resident=True, actors={_R, _I}, icon="qr")
register_channel(Channel.WEB, Channel.WEB.label, resident=True, actors={_R}, icon="web")
register_channel(Channel.PATROL, Channel.PATROL.label, icon="walk")
register_channel(Channel.HOTLINE_12345, Channel.HOTLINE_12345.label, actors={_I}, icon="phone")
register_channel(Channel.PETITION, Channel.PETITION.label, icon="letter")
register_channel(Channel.PROPERTY, Channel.PROPERTY.label, icon="building")
register_channel(Channel.DEPARTMENT, Channel.DEPARTMENT.label, icon="office")
register_channel(Channel.API, Channel.API.label, actors={_I}, icon="api")
del _R, _I
