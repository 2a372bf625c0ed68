"""Filters every app's FilterSets share (django-filter).

``StrictBooleanFilter``: a yes/no query parameter that refuses what is neither. django-filter's
own ``BooleanFilter`` reads only ``true`` / ``false`` and takes anything else — ``1``, ``0``,
``yes`` — as "not given": ``?unread=1`` listed the read notifications too, without a word.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


class RawSelect(forms.NullBooleanSelect):
    """The yes/no select, passing on what was sent as it is: the field says whether it is a yes
    or a no (Django's widget would turn anything it does not know into "any")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given: true/false, 1/0, yes/no (any case), or blank for "any". Anything
    else is an error, never silently "any"."""

    widget = RawSelect
    default_error_messages = {
        "invalid_choice": _("Give true or false (or 1/0, yes/no)."),
    }

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("", "unknown"):
            return None
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField
