"""Form fields every app's forms share.

``RowsField`` is Django's ``ModelMultipleChoiceField`` that first turns away a value which
cannot be a row's id (``core.http.row_id``): Django's own checks each value only by building a
query, and the query of an id past a 64-bit key fails in the database — a 500 (SQLite:
OverflowError; PostgreSQL: out of range) instead of "not one of the choices".
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .http import row_id


class RowsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for item in value:
                if row_id(item) is None:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": item})
        return super()._check_values(value)
