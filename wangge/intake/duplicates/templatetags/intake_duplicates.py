"""The case page's duplicates panel (疑似重复), included by ``web/case_detail.html``."""

from django import template

from wangge.cases import permissions

from .. import selectors

register = template.Library()


@register.inclusion_tag("intake_duplicates/panel.html", takes_context=True)
def duplicate_panel(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    candidates = selectors.candidates_for(user, case) if user is not None else []
    links = selectors.reporter_links(case)
    return {
        "case": case,
        "candidates": candidates,
        "links": links,
        "reporters": selectors.reporter_count(case, links),
        "may_decide": user is not None and permissions.can(user, "merge", case),
        "csrf_token": context.get("csrf_token"),
    }
