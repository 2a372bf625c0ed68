"""Web forms: they parse input; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.core.formfields import RowsField
from wangge.org.choices import RegionLevel
from wangge.org.models import Department, Region

from .choices import Decision, MeetingKind, MeetingLevel, Recurrence, RepresentativeRole


def _departments():
    return Department.objects.filter(is_active=True).order_by("kind", "name")


def _categories():
    from wangge.cases.models import Category

    return Category.objects.filter(is_active=True).order_by("path")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("meetings", "Kind"), choices=MeetingKind.choices)
    level = forms.ChoiceField(label=pgettext_lazy("meetings", "Level"), choices=MeetingLevel.choices)
    region = forms.ModelChoiceField(label=_("Territory"), queryset=Region.objects.none())
    scheduled_at = forms.DateTimeField(label=_("Date and time"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=pgettext_lazy("meetings", "Place"), max_length=200, required=False)
    title = forms.CharField(label=pgettext_lazy("meetings", "Title"), max_length=120, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()


class ScheduleForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("meetings", "Name"), max_length=100)
    kind = forms.ChoiceField(label=pgettext_lazy("meetings", "Kind"), choices=MeetingKind.choices)
    level = forms.ChoiceField(label=pgettext_lazy("meetings", "Level"), choices=MeetingLevel.choices)
    region = forms.ModelChoiceField(label=_("Territory"), queryset=Region.objects.none())
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    first_date = forms.DateField(label=_("First meeting on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=pgettext_lazy("meetings", "Place"), max_length=200, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()


class ParticipantForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments(), required=False)
    name = forms.CharField(label=_("Representative's name"), max_length=50, required=False)
    role = forms.ChoiceField(label=pgettext_lazy("meetings", "Role"), choices=[("", "—"), *RepresentativeRole.choices], required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()


class VetForm(forms.Form):
    """The note a convener gives when vetting a topic (required to reject: the action says so)."""

    note = forms.CharField(label=_("Vetting note"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("Note (required to reject)")}))


class PublishAgendaForm(forms.Form):
    """公布议程 — no fields: a refusal (no department invited yet) shows at the publish button."""


class TopicForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("meetings", "Title"), max_length=120)
    description = forms.CharField(label=pgettext_lazy("meetings", "Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_dispute = forms.BooleanField(label=_("A dispute to mediate"), required=False)


class DecisionForm(forms.Form):
    # Blank first, and required: the convener chooses what the meeting decided — a hurried click
    # must not record "solved on the spot" by default.
    decision = forms.ChoiceField(label=pgettext_lazy("meetings", "Decision"),
                                 choices=[("", "—"), *(c for c in Decision.choices if c[0])],
                                 error_messages={"required": _("Choose a decision.")})
    outcome = forms.CharField(label=_("Outcome in plain words"), widget=forms.Textarea(attrs={"rows": 2}),
                              required=False)
    notes = forms.CharField(label=_("Discussion notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    lead_department = forms.ModelChoiceField(label=pgettext_lazy("meetings", "Lead department"), queryset=_departments(), required=False)
    co_departments = RowsField(label=pgettext_lazy("meetings", "Co-handlers"), queryset=_departments(), required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=pgettext_lazy("meetings", "Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # A topic's agreed plan is filed as a case (to be tracked like any): under this category.
    category = forms.ModelChoiceField(label=_("Category of the case the plan is filed as"), queryset=_categories(),
                                      required=False)
    resolve = forms.BooleanField(label=_("Resolve the case with this outcome"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = _departments()
        self.fields["co_departments"].queryset = _departments()
        self.fields["category"].queryset = _categories()


class AttendanceForm(forms.Form):
    present = RowsField(label=pgettext_lazy("meetings", "Present"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    departments = RowsField(label=_("Departments reported in"), queryset=None, required=False,
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = meeting.participants.all()
        self.fields["departments"].queryset = _departments()


def home_territory(user) -> Region | None:
    """The territory a convener is posted to (the widest one if several), where their meetings
    usually are: a community secretary's community, a street chief's sub-district."""
    from wangge.org.scope import Scope

    from .selectors import CONVENER_ROLES

    levels = {RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID}
    own = [r for r in Scope.of(user).regions_for(CONVENER_ROLES) if r.level in levels and r.is_active]
    return min(own, key=lambda r: (r.depth, r.path), default=None)


def convening_initial(user) -> dict:
    """The new-meeting and schedule forms start at the level and territory of the user's own post."""
    region = home_territory(user)
    if region is None:
        return {}
    level = {RegionLevel.SUBDISTRICT: MeetingLevel.SUBDISTRICT, RegionLevel.COMMUNITY: MeetingLevel.COMMUNITY,
             RegionLevel.GRID: MeetingLevel.GRID}[region.level]
    return {"level": level, "region": region.pk}


def convening_regions(user):
    """The sub-districts, communities and grids ``user`` may convene at."""
    from wangge.org.scope import Scope

    from .selectors import CONVENER_ROLES

    scope = Scope.of(user)
    levels = [RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID]
    qs = Region.objects.filter(level__in=levels, is_active=True)
    if scope.everything:
        return qs.order_by("path")
    from django.db.models import Q

    q = Q(pk__in=[])
    for r in scope.regions_for(CONVENER_ROLES):
        q |= Q(path__startswith=r.path)
    return qs.filter(q).order_by("path")
