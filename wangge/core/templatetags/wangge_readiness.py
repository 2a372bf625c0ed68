"""``{% readiness_panel %}`` — the 开通检查 panel on the admin index (see ``wangge.core.readiness``)."""

from django import template

from ..readiness import run_checks

register = template.Library()


@register.inclusion_tag("admin/core/readiness_panel.html", takes_context=True)
def readiness_panel(context):
    """Only for who may use the admin (the index asks too; this keeps the tag safe elsewhere)."""
    from django.contrib import admin

    request = context.get("request")
    if request is None or not admin.site.has_permission(request):
        return {"checks": None}
    checks = run_checks()
    return {"checks": checks, "pending": sum(1 for c in checks if not c["ready"])}
