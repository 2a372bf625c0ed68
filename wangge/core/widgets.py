"""Form widgets shared by the pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python. Django renders every ``<option>`` through a template
    (about 0.3 ms each); a district's grid filter has hundreds of them on every list page.
    Same markup, same choices, same selected option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
             for _group, group_options, _index in widget["optgroups"] for option in group_options),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)

    @classmethod
    def replace(cls, field: forms.Field) -> None:
        """Give a choice field of a built form this widget, keeping its attributes and choices."""
        quick = cls(attrs=field.widget.attrs)
        quick.choices = field.choices
        quick.is_required = field.widget.is_required
        field.widget = quick
