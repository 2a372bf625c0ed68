"""The phone field every form that takes a resident's phone number uses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .masking import normalise_phone, valid_phone


class PhoneField(forms.CharField):
    """A phone number as typed (spaces, dashes, +86, full-width digits from a Chinese input
    method) → the digits that are stored (``normalise_phone``), or the form's error."""

    default_error_messages = {"invalid": _("Enter a valid phone number.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)  # as typed: "+86 138-1234-1234" is 17
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel"}

    def to_python(self, value):
        return normalise_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not valid_phone(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
