"""Badges and time helpers for the workbench templates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wangge.cases.choices import STATUS_COLOURS, CaseStatus, Light
from wangge.cases.selectors import mask_name, mask_phone

register = template.Library()


@register.simple_tag
def light_badge(light: str, label: bool = True):
    """亮灯 — a coloured dot (and the light's name)."""
    try:
        value = Light(light)
    except ValueError:
        value = Light.NONE
    text = format_html('<span class="sr-only">{}</span>', value.label) if not label else value.label
    return format_html('<span class="light light-{}" title="{}"><i></i>{}</span>', value.colour, value.label, text)


@register.simple_tag
def status_badge(status: str):
    try:
        value = CaseStatus(status)
    except ValueError:
        return status
    return format_html('<span class="badge badge-{}" data-status="{}">{}</span>', STATUS_COLOURS[value], value.value,
                       value.label)


def format_span(delta: dt.timedelta) -> str:
    """3天4小时 / 2小时5分 / 12分 — the two largest units."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": max(minutes, 1) if seconds else 0}


@register.simple_tag
def time_left(due, now=None):
    """'5h 12m left' or 'overdue 2d 3h' for a deadline."""
    if not due:
        return ""
    now = now or timezone.now()
    delta = due - now
    if delta.total_seconds() >= 0:
        return format_html('<span class="left">{}</span>', _("%(span)s left") % {"span": format_span(delta)})
    return format_html('<span class="overdue">{}</span>', _("overdue %(span)s") % {"span": format_span(delta)})


@register.filter
def can_file(user) -> bool:
    """May this person file cases (hotline intake)?"""
    from wangge.cases.permissions import can_file_cases

    return can_file_cases(user)


@register.filter
def masked_phone(phone: str) -> str:
    return mask_phone(phone or "")


@register.filter
def masked_name(name: str) -> str:
    return mask_name(name or "")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None/"" removes them)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def querystring_of(params: dict) -> str:
    return urlencode(params, doseq=True)
