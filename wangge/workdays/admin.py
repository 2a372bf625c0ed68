"""Admin for the working-day calendar (工作日历): paste a year's notice, correct single days."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import CalendarDay, CalendarYear
from .services import CalendarInputError, builtin_days, load_calendar_year, parse_calendar_text, validate_year

MISSING_SHOWN = 12

EXAMPLE = "2027-01-01,holiday,元旦\n2027-02-06~2027-02-12,holiday,春节\n2027-02-07,workday,春节调休"


class CalendarYearForm(forms.ModelForm):
    """A year's holidays and make-up working days, pasted from the State Council notice."""

    days = forms.CharField(
        label=_("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60, "style": "font-family: monospace",
                                     "placeholder": EXAMPLE}),
        help_text=_("One line per day or range: date,holiday|workday,name — e.g. “2027-02-06~2027-02-12,"
                    "holiday,春节” or “2027-02-07,workday,春节调休”. List only the days that differ from "
                    "Monday–Friday; a single day inside a range is its exception. Saving replaces the whole "
                    "year and recomputes provisional deadlines."),
    )
    replace_builtin = forms.BooleanField(
        label=_("Replace the built-in calendar of this year"), required=False,
        help_text=_("For a year the built-in calendar already has (2004–2026): tick only to replace it "
                    "with exactly the days listed above. To correct a single day, use “calendar days”."),
    )

    class Meta:
        model = CalendarYear
        fields = ("year", "source")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            rows = CalendarDay.objects.filter(date__year=self.instance.year).order_by("date")
            self.initial["days"] = "\n".join(
                f"{d.date.isoformat()},{'workday' if d.is_workday else 'holiday'},{d.name}".rstrip(",") for d in rows
            )

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        try:
            entries = parse_calendar_text(cleaned.get("days") or "")
        except CalendarInputError as exc:
            self.add_error("days", exc.messages)
            return cleaned
        other_years = sorted({e.date.year for e in entries} - {year})
        if year and other_years:
            self.add_error("days", _("Every date must be in %(year)d; found %(others)s.")
                           % {"year": year, "others": ", ".join(map(str, other_years))})
            return cleaned
        if year:
            try:
                validate_year(year, entries)
            except CalendarInputError as exc:  # here, not at saving: a refused year is never "added"
                self.add_error("days", exc.messages)
                return cleaned
            self._keep_builtin(year, entries, cleaned.get("replace_builtin"))
        cleaned["entries"] = entries
        return cleaned

    def _keep_builtin(self, year: int, entries, replace: bool) -> None:
        """A year the built-in calendar has, loaded here, is described by these lines alone: the
        built-in holidays left out would silently become working days (deadlines then run through
        国庆节). Unless the admin means to replace it, every built-in day must be listed."""
        given = {(e.date, e.is_workday) for e in entries}
        missing = [d for d in builtin_days(year) if (d.date, d.is_workday) not in given]
        if not missing or replace:
            return
        shown = "; ".join(f"{d.date.isoformat()},{'workday' if d.is_workday else 'holiday'},{d.name}"
                          for d in missing[:MISSING_SHOWN])
        self.add_error("days", ngettext(
            "The built-in calendar of %(year)d has %(n)d more day that these lines leave out; saving would make "
            "it an ordinary day. Add it, tick “Replace the built-in calendar”, or correct single days under "
            "“calendar days”: %(days)s",
            "The built-in calendar of %(year)d has %(n)d more days that these lines leave out; saving would make "
            "them ordinary days. Add them, tick “Replace the built-in calendar”, or correct single days under "
            "“calendar days”: %(days)s", len(missing)) % {"year": year, "n": len(missing), "days": shown})


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ("year", "source", "day_count", "loaded_at", "loaded_by")
    readonly_fields = ("loaded_at", "loaded_by")
    fields = ("year", "source", "days", "replace_builtin", "loaded_at", "loaded_by")

    def get_readonly_fields(self, request, obj=None):
        # The year of a stored calendar is its identity: load another year as a new entry.
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    @admin.display(description=_("days listed"))
    def day_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year).count()

    def save_model(self, request, obj, form, change):
        """Through the calendar service: it replaces the year's days and recomputes deadlines."""
        try:
            stored = load_calendar_year(year=obj.year, days=form.cleaned_data["entries"], source=obj.source,
                                        actor=request.user)
        except CalendarInputError as exc:  # the form checked already; a race leaves a clear message
            self.message_user(request, "; ".join(exc.messages), level="error")
            return
        obj.pk, obj.loaded_at, obj.loaded_by = stored.pk, stored.loaded_at, stored.loaded_by

    def delete_model(self, request, obj):
        CalendarDay.objects.filter(date__year=obj.year).delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Single days: a correction to the package's calendar, or one day of a loaded year."""

    list_display = ("date", "weekday", "is_workday", "name")
    list_filter = ("is_workday",)
    search_fields = ("name",)
    date_hierarchy = "date"
    actions = ["mark_workday", "mark_holiday"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return ["一", "二", "三", "四", "五", "六", "日"][obj.date.weekday()]

    @admin.action(description=_("Mark as working days (调休上班)"))
    def mark_workday(self, request, queryset):
        self._mark(request, queryset, True)

    @admin.action(description=_("Mark as holidays (休)"))
    def mark_holiday(self, request, queryset):
        self._mark(request, queryset, False)

    def _mark(self, request, queryset, is_workday: bool) -> None:
        n = queryset.update(is_workday=is_workday)
        self.message_user(request, ngettext("%(n)d day changed.", "%(n)d days changed.", n) % {"n": n})
