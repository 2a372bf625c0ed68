from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import DEFAULT_MAPPING, REQUIRED_FIELDS, Field, ImportMode


class SourceForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("source", "Name"), max_length=100, initial="12345热线")
    subdistrict = forms.TypedChoiceField(label=_("Sub-district"), coerce=int)
    header_row = forms.IntegerField(label=_("Heading row"), min_value=1, max_value=50, initial=1)

    def __init__(self, *args, subdistricts=(), mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].choices = [(r.pk, r.full_name) for r in subdistricts]
        mapping = mapping if mapping is not None else DEFAULT_MAPPING
        for name, label in Field.choices:
            self.fields[f"map_{name}"] = forms.CharField(
                label=label, required=name in REQUIRED_FIELDS, max_length=100, initial=mapping.get(name, ""))

    def mapping(self) -> dict:
        return {name: self.cleaned_data.get(f"map_{name}", "") for name in Field.values}

    def mapping_fields(self):
        return [self[f"map_{name}"] for name in Field.values]


class UploadForm(forms.Form):
    source = forms.TypedChoiceField(label=_("Source"), coerce=int)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.pk, f"{s.name}（{s.subdistrict.name}）") for s in sources]


class StartForm(forms.Form):
    mode = forms.ChoiceField(label=_("How to import"), choices=ImportMode.choices, widget=forms.RadioSelect,
                             initial=ImportMode.ALL_OR_NOTHING)


class ReplyForm(forms.Form):
    source = forms.TypedChoiceField(label=_("Source"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("All my sources"))] + [(s.pk, s.name) for s in sources]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or end - start > dt.timedelta(days=366)):
            raise forms.ValidationError(_("Choose a period of at most one year, its end not before its start."))
        return data
