"""受理渠道 — the channels a case can come by, registered by the apps that run them.

``cases`` registers the ones the case desk itself knows; an intake app (WeChat, QR codes,
Open311, 12345) registers its own in ``AppConfig.ready()``::

    register_channel("open311", _("Open311"), resident=True, actors={"integration"}, icon="globe")

``resident`` marks a channel residents report on themselves (figures by channel, the reply on
the channel they came by); ``actors`` lists the kinds of actor (``core.actors.ActorKind``) that
may file on it — staff may file on every channel.

来源 — the ``source`` under which a case's ``external_id`` is kept: a retry with the same pair
returns the case already filed. Every registered channel's name is one of the platform's own
source namespaces (``wechat:wx…``, ``open311:3``, ``12345``, ``patrol``: the name itself or the
name and a colon), and an app registers any other it files under (``register_source("portal")``).
No API caller may file under one of them — a report filed first under a WeChat message id or a
12345 order number would make the real one a "retry", dropped — except a user the namespace's
``may_use`` admits (the 12345 link: ``intake.hotline12345`` admits who may import 12345 orders).
"""

from __future__ import annotations

from wangge.core.actors import ActorKind
from wangge.core.registry import Registry

from .choices import Channel

channels = Registry("channels")
sources = Registry("sources")


def register_channel(value: str, label, *, resident: bool = False, actors=(), icon: str = ""):
    allowed = frozenset({ActorKind.STAFF, ActorKind.SYSTEM, *actors})
    return channels.register(value, label, resident=resident, actors=allowed, icon=icon)


def may_file_on(channel: str, actor_kind: str) -> bool:
    entry = channels.get(channel)
    return entry is not None and actor_kind in entry.actors


def register_source(value: str, *, may_use=None):
    """Reserve the source namespace ``value`` (the source ``value`` and every ``value:…``) for the
    platform's own intake; ``may_use(user)`` names the API callers who may file under it too.
    A channel's own namespace needs no registration, only to admit callers."""
    return sources.register(value, value, may_use=may_use)


def source_namespace(source: str) -> str:
    return source.split(":", 1)[0].strip().lower()


def api_may_use_source(user, source: str) -> bool:
    """May ``user`` file through the API under ``source``? Any name of their own system, not
    one of the platform's namespaces unless that namespace admits them."""
    namespace = source_namespace(source)
    entry = sources.get(namespace)
    if entry is None and namespace not in channels:
        return True
    may_use = entry.may_use if entry is not None else None
    return bool(may_use is not None and may_use(user))


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
