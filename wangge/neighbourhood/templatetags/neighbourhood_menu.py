"""The app's sub-menu shows only the pages the signed-in user may open."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def runs_scores(context) -> bool:
    """Does the user run a sub-district's quarterly scores and yearly evaluation?"""
    request = context.get("request")
    return bool(request is not None and selectors.scoring_subdistricts(request.user))
