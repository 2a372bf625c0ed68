"""What every staff page needs."""

from wangge.core.navigation import dashboard_tabs_for, nav_for

from .desks import desk_choices


def navigation(request):
    """The apps' navigation entries the signed-in user may see (lazily: only pages that show
    the menu compute it)."""
    user = getattr(request, "user", None)
    return {"app_nav": lambda: nav_for(user), "dashboard_tabs": lambda: dashboard_tabs_for(user),
            "desk_choices": lambda: desk_choices(request)}


def language_switch(request):
    """``language_next``: where the language switch comes back to (``core.http.page_to_return_to``)."""
    from wangge.core.http import page_to_return_to

    return {"language_next": lambda: page_to_return_to(request)}
