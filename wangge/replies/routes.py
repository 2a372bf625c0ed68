"""Who else tells the reporter (回复渠道): a channel app that answers residents on the channel
they came by registers a route here, and the SMS replies step aside for the cases it reaches.

A route is a function ``reaches(case) -> bool``: True only when that app will really deliver the
notice (its account still on, the resident still known there). A case no route reaches gets
the SMS, so a resident who left a mobile number always hears once::

    register_reply_route("wechat", _("WeChat template message"), reaches=reaches_by_wechat)
"""

from __future__ import annotations

from collections.abc import Callable

from wangge.core.registry import Registry

reply_routes = Registry("reply routes")


def register_reply_route(value: str, label, *, reaches: Callable) -> None:
    reply_routes.register(value, label, reaches=reaches)


def reached_elsewhere(case) -> bool:
    """Whether a registered channel app tells this case's reporter itself."""
    return any(entry.reaches(case) for entry in reply_routes)
