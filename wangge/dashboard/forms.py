"""The dashboard's filter bar: territory, department, period, ranking order (GET)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import metrics, selectors
from .selectors import PeriodKind, Selection


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth below the top level the user may choose.
        return "\u3000" * max(0, obj.depth - self.top_depth) + obj.name


class DashboardFilterForm(forms.Form):
    region = RegionChoiceField(queryset=None, required=False, label=_("Territory"),
                               empty_label=_("All my jurisdiction"))
    department = forms.ModelChoiceField(queryset=None, required=False, label=_("Department"),
                                        empty_label=_("All departments"))
    period = forms.ChoiceField(choices=PeriodKind.CHOICES, required=False, label=_("Period"))
    start = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
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
