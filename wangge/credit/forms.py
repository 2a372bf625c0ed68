"""The staff and merchant forms of the credit pages: they only parse input; the actions decide."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.residents.forms import PhoneField

from .models import CreditRule, StoreItem


def new_request_key() -> str:
    return uuid.uuid4().hex


class AwardForm(forms.Form):
    rule = forms.ModelChoiceField(queryset=CreditRule.objects.none(), label=_("Rule"))
    quantity = forms.IntegerField(label=_("Hours (per-hour rules)"), min_value=1, max_value=1000, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules if rules is not None else CreditRule.objects.none()
        self.fields["request_key"].initial = new_request_key()


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             error_messages={"required": _("Give the reason for the correction.")})


class CounterForm(forms.Form):
    item = forms.ModelChoiceField(queryset=StoreItem.objects.none(), label=_("Item"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items if items is not None else StoreItem.objects.none()
        self.fields["request_key"].initial = new_request_key()


class OpenAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = PhoneField(label=_("Phone"))
    place = forms.ChoiceField(label=_("Place"), help_text=_(
        "For a household account, its building or unit: the account is named by the household's address."))
    for_household = forms.BooleanField(label=_("One account for the whole household (户)"), required=False)
    room = forms.CharField(label=_("Room"), max_length=40, required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(r.pk): r for r in places}
        self.fields["place"].choices = [(str(r.pk), getattr(r, "place_label", "") or r.full_name) for r in places]

    def clean(self):
        from wangge.org.choices import RegionLevel

        data = super().clean()
        place = self.places.get(data.get("place") or "")
        data["region"] = place
        if place is not None and data.get("for_household") and place.level not in (RegionLevel.BUILDING,
                                                                                    RegionLevel.UNIT):
            self.add_error("place", _("A household account needs the household's building or unit."))
        return data


class ItemForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("item", "Name"), max_length=100)
    description = forms.CharField(label=pgettext_lazy("credit", "Description"), max_length=300, required=False)
    price = forms.IntegerField(label=_("Price (credit)"), min_value=1, max_value=10**9)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=10**9, initial=0)


class RestockForm(forms.Form):
    add = forms.IntegerField(label=_("Add to stock (negative to take back)"), min_value=-10**6, max_value=10**6)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Redemption code"), max_length=20)


class DisputeForm(forms.Form):
    """有异议 — the holder says what is wrong with one entry."""

    entry = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(label=_("What is wrong with this entry?"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say what is wrong with this entry.")})


class ResolveDisputeForm(forms.Form):
    """处理申诉 — reverse the entry (更正) or reply that it stands."""

    OUTCOMES = [("correct", pgettext_lazy("dispute", "Correct the entry")),
                ("answer", pgettext_lazy("dispute", "Reply, the entry stands"))]

    reply = forms.CharField(label=_("Reply to the holder"), max_length=200,
                            error_messages={"required": _("Write the reply to the holder: they see it on their page.")})
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES)
