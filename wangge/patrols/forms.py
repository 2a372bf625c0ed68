"""Forms of the patrol pages: input types only; the actions decide what is allowed."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.cases.models import Category

from .choices import FindingClass, Presence


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultiplePhotoField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CategoryField(forms.ModelChoiceField):
    """The category tree, children indented under their parent (a flat list of 70 names hides
    which is the heading and which the kind)."""

    def label_from_instance(self, obj: Category) -> str:
        return "\u3000" * (obj.depth - 1) + obj.display_name


class CheckInForm(forms.Form):
    """打卡 (and, optionally, what was found there)."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    client_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    presence = forms.ChoiceField(choices=Presence.choices, initial=Presence.GPS, widget=forms.HiddenInput)
    plate_token = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultiplePhotoField(label=_("Photos"))
    # 发现问题 — filled only when something was found.
    finding_client_id = forms.UUIDField(widget=forms.HiddenInput)
    finding = forms.CharField(label=_("Problem found"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    handling_class = forms.ChoiceField(label=_("How it is handled"), choices=FindingClass.choices,
                                       initial=FindingClass.GENERAL, required=False)
    category = CategoryField(label=_("Category"), queryset=Category.objects.none(), required=False)
    result = forms.CharField(label=_("What you did on the spot"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("path")
        self.fields["category"].empty_label = _("Choose a category")
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("finding_client_id", uuid.uuid4())

    def clean_client_time(self):
        return self.cleaned_data.get("client_time") or timezone.now()


class CancelSlotForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"))
