"""What every staff page needs."""

from wangge.core.navigation import dashboard_tabs_for, nav_for

from .desks import desk_choices


def navigation(request):
    """The apps' navigation entries the signed-in user may see (lazily: only pages that show
    the menu compute it)."""
    user = getattr(request, "user", None)
    return {"app_nav": lambda: nav_for(user), "dashboard_tabs": lambda: dashboard_tabs_for(user),
            "desk_choices": lambda: desk_choices(request)}
