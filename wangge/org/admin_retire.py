"""The admin's 撤销 (retire) action on territory nodes: a confirmation page that says what the
retirement touches — open cases, staff, QR codes, patrol points — then ``actions.retire_region``
for each node, and feedback that says what was stopped and what is left to the administrator."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.core.errors import DomainError

from . import actions
from .choices import RegionLevel
from .models import Region
from .retirement import Impact, retirement_impacts


def _roots(queryset) -> list[Region]:
    """The active selected nodes, without those under another selected one (retired with it)."""
    chosen = sorted(queryset.filter(is_active=True).defer("boundary"), key=lambda r: r.path)
    roots: list[Region] = []
    for region in chosen:
        if not any(region.path.startswith(root.path) for root in roots):
            roots.append(region)
    return roots


def _levels_below(region: Region) -> list[tuple[str, int]]:
    """How many active nodes of each level sit under ``region``, top level first."""
    counts = Counter(Region.objects.filter(path__startswith=region.path, depth__gt=region.depth, is_active=True)
                     .values_list("level", flat=True))
    return [(RegionLevel(level).label, counts[level]) for level in RegionLevel.values if counts.get(level)]


def _impact_html(impact: Impact):
    link = format_html(' <a href="{}">{}</a>', impact.link, _("See them in the case list")) if impact.link else ""
    return format_html("{}{}", _("%(label)s: %(count)d — %(consequence)s") % {
        "label": impact.label, "count": impact.count, "consequence": impact.consequence}, link)


def retire(modeladmin, request, queryset):
    """The action: without ``post`` the confirmation page; with it, the retirement."""
    roots = _roots(queryset)
    if not roots:
        modeladmin.message_user(request, _("The selected places have been retired already."), messages.WARNING)
        return None
    if request.POST.get("post") != "yes":
        places = [{"region": region, "full_name": region.full_name, "below": _levels_below(region),
                   "impacts": [i for i in retirement_impacts(region) if i.count]} for region in roots]
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Retire places"),
            "opts": modeladmin.model._meta,
            "places": places,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, "admin/org/region/retire_confirmation.html", context)
    for region in roots:
        below = sum(n for _label, n in _levels_below(region))
        impacts = [i for i in retirement_impacts(region) if i.count]
        try:
            actions.retire_region(region=region, actor=request.user)
        except DomainError as exc:
            modeladmin.message_user(request, _("%(place)s: %(error)s") % {"place": region.name, "error": exc.message},
                                    messages.ERROR)
            continue
        modeladmin.log_change(request, region, [{"changed": {"fields": ["is_active"]}}])
        done = (ngettext("%(place)s and the %(n)d place under it retired.",
                         "%(place)s and the %(n)d places under it retired.", below) if below
                else _("%(place)s retired.")) % {"place": region.name, "n": below}
        settled = [i for i in impacts if not i.needs_action]
        modeladmin.message_user(request, format_html("{} {}", done, format_html_join(
            " ", "{}", ((_impact_html(i),) for i in settled))), messages.SUCCESS)
        for impact in impacts:
            if impact.needs_action:
                modeladmin.message_user(request, format_html("{} · {}", region.name, _impact_html(impact)),
                                        messages.WARNING)
    return None
