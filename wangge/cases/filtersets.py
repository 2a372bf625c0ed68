"""One FilterSet for the case list: the API and the web list both use it."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.filters import StrictBooleanFilter
from wangge.core.http import client_ip
from wangge.org.models import Department, Region
from wangge.residents.masking import full_phone

from .actions.privacy import caller_cases
from .channels import channels
from .choices import OPEN_STATUSES, CaseStatus, Light, StarLevel
from .models import Case, CaseAssignment, Category
from .search import search_cases

# The dates the office works with: nothing was filed before 2000 and nothing will be due after
# 2100. Outside them a date is a typo — and its local midnight may not exist in UTC at all
# (0001-01-01 +08:00), which would otherwise crash the query.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, with a message that says so."""

    default_error_messages = {
        "out_of_range": _("Give a date between %(earliest)s and %(latest)s."),
    }

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class BoundedDateFilter(filters.DateFilter):
    field_class = BoundedDateField


class CaseFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(distinct=False, choices=CaseStatus.choices, label=_("Status"))
    star = filters.MultipleChoiceFilter(distinct=False, choices=StarLevel.choices, label=_("Star level"))
    channel = filters.MultipleChoiceFilter(distinct=False, choices=channels.choices, label=_("Channel"))
    light = filters.MultipleChoiceFilter(distinct=False, choices=Light.choices, label=_("Light"))
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(), method="filter_category", label=_("Category (and sub-categories)")
    )
    # Without the polygons: every list page lists the choices. A territory outside the user's
    # scope is a valid choice that matches none of their cases: an empty list, never an error
    # that would tell it apart from one of theirs with no cases.
    subdistrict = filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level="subdistrict").defer("boundary"), label=_("Sub-district")
    )
    grid = filters.ModelChoiceFilter(queryset=Region.objects.filter(level="grid").defer("boundary"), label=_("Grid"))
    community = filters.ModelChoiceFilter(queryset=Region.objects.filter(level="community").defer("boundary"),
                                          label=_("Community"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department", label=_("Department (current handler)")
    )
    overdue = StrictBooleanFilter(method="filter_overdue", label=_("Overdue"))
    is_open = StrictBooleanFilter(method="filter_open", label=_("Open"))
    submitted_after = BoundedDateFilter(method="filter_submitted_after", label=_("Filed from"))
    submitted_before = BoundedDateFilter(method="filter_submitted_before", label=_("Filed until"))
    q = filters.CharFilter(method="filter_text", label=_("Text (number, title, description, address); a whole phone "
                                                         "number: the caller's cases (intake clerks, logged)"))

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, caller: str = "", **kwargs):
        """``caller``: a phone whose look-up was started and counted already (the web list keeps
        the number server-side under a key, never in its URL): its cases among the filtered ones."""
        super().__init__(*args, **kwargs)
        self.caller = caller

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.caller:
            return queryset
        request = getattr(self, "request", None)
        found = caller_cases(actor=getattr(request, "user", None), phone=self.caller, within=queryset, counted=False,
                             ip_address=client_ip(request) if request is not None else None)
        return queryset.none() if found is None else found

    @staticmethod
    def _local_midnight(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())

    def filter_submitted_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=self._local_midnight(value)) if value else queryset

    def filter_submitted_before(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(submitted_at__lt=self._local_midnight(value + dt.timedelta(days=1)))

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(category__path__startswith=value.path)

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        # EXISTS, not a join + DISTINCT: keeps the (submitted_at) index order usable for LIMIT.
        return queryset.filter(
            Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), department=value, active=True))
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(light=Light.RED, status__in=OPEN_STATUSES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_text(self, queryset, name, value):
        phone = full_phone(value)
        if not phone:
            return search_cases(queryset, value)
        # A whole phone number: a caller asking after their case (查询进度). The caller look-up of
        # the hotline desk (来电历史) answers it — for call takers only, limited and logged as
        # there; a refusal is raised, to be said (an empty list would read as "no record").
        request = getattr(self, "request", None)
        return caller_cases(actor=getattr(request, "user", None), phone=phone, within=queryset,
                            ip_address=client_ip(request) if request is not None else None)


