"""开通检查 for the working-day calendar (registered in ``WorkdaysConfig.ready``; see
``wangge.core.readiness``): this year's and — from November, when the State Council publishes the
next year's holidays (国务院办公厅关于…部分节假日安排的通知) — next year's days must be known, or
every deadline that reaches into that year is provisional (Monday–Friday guessed)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from wangge.core.readiness import Result, admin_url, register_check

from .calendar import load_calendar

# The month from which next year's calendar is expected loaded (the notice comes out Oct–Dec).
NEXT_YEAR_EXPECTED_FROM_MONTH = 11


def today():
    return timezone.localdate()


def calendar_loaded() -> Result:
    """法定节假日 / 调休: the years the deadlines are counted in."""
    day = today()
    calendar = load_calendar()
    years = [day.year] + ([day.year + 1] if day.month >= NEXT_YEAR_EXPECTED_FROM_MONTH else [])
    for year in years:
        if not calendar.is_known_year(year):
            return Result(False, _("The holidays and make-up working days of %(year)d are not loaded: deadlines "
                                   "reaching into %(year)d are provisional.") % {"year": year},
                          admin_url("workdays", "calendaryear", "add", query={"year": year}))
    return Result(True, _("The working-day calendar of %(years)s is known.")
                  % {"years": " / ".join(str(y) for y in years)}, admin_url("workdays", "calendaryear"))


def register() -> None:
    register_check("workdays.calendar", pgettext_lazy("readiness", "Working-day calendar"),
                   calendar_loaded, order=80)
