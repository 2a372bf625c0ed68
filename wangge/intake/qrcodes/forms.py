from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import SheetFormat, SheetSize


class SheetForm(forms.Form):
    """The paper and file type of a print-out (query string of the download links)."""

    size = forms.ChoiceField(choices=SheetSize.choices, required=False,
                             error_messages={"invalid_choice": _("Paper size must be A4 or A5.")})
    format = forms.ChoiceField(choices=SheetFormat.choices, required=False,
                               error_messages={"invalid_choice": _("File type must be PDF or SVG.")})

    def clean_size(self):
        return self.cleaned_data["size"] or SheetSize.A4

    def clean_format(self):
        return self.cleaned_data["format"] or SheetFormat.PDF
