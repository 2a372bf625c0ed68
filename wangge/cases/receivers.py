"""What cases do when other parts of the system tell them something (connected in
``CasesConfig.ready``)."""

from __future__ import annotations


def recompute_after_calendar_load(sender, *, year: int, **kwargs) -> None:
    """A year of the working-day calendar was loaded (after commit): recompute, in the
    background, every open case whose deadline was provisional."""
    from .tasks import recompute_provisional_deadlines

    recompute_provisional_deadlines.enqueue(year)


def repoint_cases_of_merged_resident(sender, *, kept, merged, **kwargs) -> None:
    from .actions.privacy import repoint_reporter

    repoint_reporter(kept=kept, merged=merged)


def erase_case_snapshots_of_resident(sender, *, resident, phone: str = "", name: str = "", **kwargs) -> None:
    from .actions.privacy import erase_reporter_snapshots

    erase_reporter_snapshots(resident=resident, phone=phone, name=name)


def open_anonymous_cases_of(resident) -> str | None:
    """The retention check for the anonymous reports made from the resident's number: while one
    is still being handled (its callback needs the number), the resident is not erased yet."""
    from django.utils.translation import gettext as _

    from .choices import OPEN_STATUSES
    from .models import Case

    if resident.phone and Case.objects.filter(reporter__isnull=True, reporter_phone=resident.phone,
                                              status__in=OPEN_STATUSES).exists():
        return _("has cases still being handled")
    return None


def open_cases_at(region):
    """Retirement impact (撤销, ``org.retirement``): the open cases filed at the place. They are not
    moved: the administrator redispatches them (the list filtered to the place is linked where the
    case list has a filter for its level)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import ngettext

    from wangge.org.choices import RegionLevel
    from wangge.org.retirement import Impact
    from wangge.org.scope import region_q

    from .choices import OPEN_STATUSES
    from .models import Case

    cases = Case.objects.filter(region_q(region), status__in=OPEN_STATUSES)
    count = cases.count()
    if not count:
        return None
    link = ""
    parameter = {RegionLevel.GRID: "grid", RegionLevel.COMMUNITY: "community",
                 RegionLevel.SUBDISTRICT: "subdistrict"}.get(region.level)
    if parameter:
        try:
            link = f"{reverse('web:case_list')}?{parameter}={region.pk}&is_open=true"
        except NoReverseMatch:  # the staff pages are not installed
            link = ""
    return Impact(
        label=_("Open cases"), count=count,
        consequence=ngettext("It stays where it was filed, with its handler: redispatch it to whoever now "
                             "covers the place.",
                             "They stay where they were filed, with their handlers: redispatch them to whoever now "
                             "covers the place.", count),
        names=[f"{c.number} {c.title}" for c in cases.order_by("submitted_at", "pk")[:10]],
        link=link, needs_action=True,
    )
