"""Navigation, the dashboard tab and the case panel (registered at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _case_panel(case, user):
    from .models import Need
    from .selectors import needs_visible_to

    needs = list(needs_visible_to(user).filter(case_id=case.pk)) if getattr(user, "is_authenticated", False) else []
    if not needs:
        needs = list(Need.objects.filter(case_id=case.pk).select_related("need_class"))
        if not needs:
            return None
        return {"needs": needs, "linked": False}
    return {"needs": needs, "linked": True}


def register() -> None:
    from wangge.cases.panels import register_case_panel
    from wangge.core.navigation import register_dashboard_tab, register_nav

    from .selectors import is_staff_user, serving_chiefs

    register_nav("neighbourhood", _("Needs & services"), "neighbourhood:home", visible=is_staff_user, order=60)
    # A chief's way back to their phone page (from the notifications, say).
    register_nav("neighbourhood_chief", _("My chief's page"), "neighbourhood:chief_home",
                 visible=lambda user: bool(serving_chiefs(user)), order=59)
    register_dashboard_tab("neighbourhood", _("三问三联三评"), "neighbourhood:figures", visible=is_staff_user,
                           order=60)
    register_case_panel("neighbourhood", template="neighbourhood/case_panel.html", context=_case_panel, order=40)
