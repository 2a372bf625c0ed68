"""The dashboard's filter bar: territory, department, period, ranking order (GET)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.cases.filtersets import EARLIEST_DATE, LATEST_DATE, BoundedDateField
from wangge.core.widgets import QuickSelect

from . import metrics, selectors
from .selectors import PeriodKind, Selection


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth below the top level the user may choose.
        return "\u3000" * max(0, obj.depth - self.top_depth) + obj.name


class DashboardFilterForm(forms.Form):
    # A district's grids are hundreds of options: written out in Python (``QuickSelect``).
    region = RegionChoiceField(queryset=None, required=False, label=_("Territory"),
                               empty_label=_("All my jurisdiction"), widget=QuickSelect)
    department = forms.ModelChoiceField(queryset=None, required=False, label=_("Department"),
                                        empty_label=_("All departments"), widget=QuickSelect)
    period = forms.ChoiceField(choices=PeriodKind.CHOICES, required=False, label=_("Period"))
    start = BoundedDateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    rank = forms.ChoiceField(choices=[(r.key, r.label) for r in metrics.RATES], required=False,
                             label=_("Rank by"))

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user
        regions = selectors.territory_choices(user)
        field = self.fields["region"]
        field.queryset = type(regions[0]).objects.filter(pk__in=[r.pk for r in regions]).order_by("path") \
            if regions else selectors.Region.objects.none()
        field.top_depth = min((r.depth for r in regions), default=0)
        self.fields["department"].queryset = selectors.Department.objects.filter(
            pk__in=[d.pk for d in selectors.department_choices(user)]).order_by("kind", "name")

    def selection(self) -> tuple[Selection, str]:
        """The selection asked for; invalid parts fall back to their defaults (never an error)."""
        data = self.cleaned_data if self.is_valid() else {
            k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        region = data.get("region")
        period = selectors.make_period(data.get("period"), data.get("start"), data.get("end"))
        sel = Selection(user=self.user, period=period, region=region, department=data.get("department"))
        return sel, data.get("rank") or "resolution"


class MonthField(forms.CharField):
    """A calendar month given as ``YYYY-MM`` → the date of its first day, within the office's years."""

    default_error_messages = {
        "invalid": _("Give the month as year-month, for example 2026-03."),
        "out_of_range": _("Give a month between %(earliest)s and %(latest)s."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip(), re.ASCII)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        # Compared before making a date: year 0 is no date at all.
        if not (EARLIEST_DATE.year, EARLIEST_DATE.month) <= (year, month) <= (LATEST_DATE.year, LATEST_DATE.month):
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range",
                params={"earliest": f"{EARLIEST_DATE:%Y-%m}", "latest": f"{LATEST_DATE:%Y-%m}"},
            )
        return dt.date(year, month, 1)


class ReportMonthForm(forms.Form):
    """月报 — which month (``?month=YYYY-MM``); none or a bad one means last month."""

    month = MonthField(required=False, label=_("Month"))

    def chosen_month(self, *, today: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data["month"]:
            return self.cleaned_data["month"]
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
