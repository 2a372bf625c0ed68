"""Forms of the resident pages. Messages are plain words for residents, not staff jargon."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.cases.attachments import validate_uploads
from wangge.cases.choices import Satisfaction
from wangge.cases.errors import CaseError, InvalidInput
from wangge.cases.models import Category
from wangge.cases.models.case import looks_like_case_number
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.residents.forms import PhoneField
from wangge.residents.masking import half_width

# Mobile (13812345678), landline with area code (010-12345678) or a local number (12345678).


def category_label(category: Category) -> str:
    return category.resident_display


@dataclass
class CategoryGroup:
    """One top-level category and the kinds of problem under it, as the picker shows them."""

    label: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label)

    @property
    def values(self) -> list[str]:
        return [value for value, _label in self.choices]


def category_picker() -> tuple[list[CategoryGroup], list[tuple[str, str]]]:
    """Active categories for the picker: top-level categories with active children as groups of
    choices, and top-level categories without children as choices of their own."""
    groups: dict[str, CategoryGroup] = {}
    tops: dict[str, Category] = {}
    steplen = Category.steplen
    for category in Category.objects.get_tree().filter(is_active=True):
        top_path = category.path[:steplen]
        if category.depth == 1:
            tops[top_path] = category
            groups[top_path] = CategoryGroup(label=category_label(category))
        elif top_path in groups:  # children of a retired top-level category are not offered
            groups[top_path].choices.append((str(category.pk), category_label(category)))
    singles = [(str(tops[path].pk), group.label) for path, group in groups.items() if not group.choices]
    return [group for group in groups.values() if group.choices], singles


def place_choices() -> list:
    """Communities and their grids, grouped by community, for the no-map way of saying where."""
    places = list(
        Region.objects.filter(
            is_active=True, level__in=[RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID]
        ).order_by("path")
    )
    by_path = {p.path: p for p in places}
    several = sum(1 for p in places if p.level == RegionLevel.SUBDISTRICT) > 1
    steplen = Region.steplen
    groups: dict[str, tuple[str, list]] = {}
    for place in places:
        parent = by_path.get(place.path[:-steplen])
        if place.level == RegionLevel.COMMUNITY:
            label = f"{parent.name} · {place.name}" if several and parent else place.name
            groups[place.path] = (label, [(place.pk, _("%(community)s (not sure which grid)") % {"community": place.name})])
        elif place.level == RegionLevel.GRID and place.path[:-steplen] in groups:
            groups[place.path[:-steplen]][1].append((place.pk, place.name))
    return [("", _("— Choose your community or grid —")), *groups.values()]


# What ``secrets.token_urlsafe(16)`` makes (22 characters), with room to spare.
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to WANGGE_ATTACHMENT_MAX_COUNT photos, each checked by content (not by file name)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        limit = settings.WANGGE_ATTACHMENT_MAX_COUNT
        if len(uploads) > limit:
            raise forms.ValidationError(
                _("You can add at most %(n)d photos; you chose %(chosen)d.") % {"n": limit, "chosen": len(uploads)}
            )
        for upload in uploads:
            try:
                validate_uploads([upload], images_only=True)
            except InvalidInput as exc:
                raise forms.ValidationError(_photo_message(exc, upload)) from None
        return uploads


def _photo_message(exc: InvalidInput, upload) -> str:
    from django.template.defaultfilters import filesizeformat

    name = upload.name or pgettext_lazy("resident", "a file")
    code = exc.fields.get("attachments")
    if code == "too_large":
        return _("The photo “%(name)s” is too large; each photo can be at most %(limit)s.") % {
            "name": name, "limit": filesizeformat(settings.WANGGE_ATTACHMENT_MAX_BYTES)}
    if code == "empty":
        return _("The file “%(name)s” is empty.") % {"name": name}
    return _("“%(name)s” is not a photo. Please choose JPG, PNG, WebP or GIF pictures.") % {"name": name}


class FocusFirstError(BoundField):
    """A field the form renders itself (the grid list) takes ``autofocus`` when it is the first
    one in error: the browser then opens the page at it, without JavaScript."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if not (widget or self.field.widget).is_hidden and self.name == self.form.first_invalid:
            attrs["autofocus"] = True
        return attrs


@dataclass
class FieldError:
    """One line of the summary above the form: the field's name, linked to it, and what is wrong."""

    field: str
    anchor: str
    label: str
    messages: list[str]


class ReportForm(forms.Form):
    """反映问题 — what a resident fills in to report a problem."""

    bound_field_class = FocusFirstError

    # The fields in the order the page shows them: (field, the id the summary links to, its name).
    PAGE_ORDER = (
        ("category", "q-what", pgettext_lazy("resident", "Kind of problem")),
        ("description", "id_description", pgettext_lazy("resident", "What is wrong")),
        ("photos", "id_photos", pgettext_lazy("resident", "Photos")),
        ("region", "id_region", pgettext_lazy("resident", "Where")),
        ("address", "id_address", pgettext_lazy("resident", "Address or landmark")),
        ("reporter_phone", "id_reporter_phone", pgettext_lazy("resident", "Mobile phone")),
        ("reporter_name", "id_reporter_name", pgettext_lazy("resident", "Your name")),
    )

    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose the kind of problem from the list.")},
    )
    description = forms.CharField(
        min_length=5,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Please tell us what the problem is."),
            "min_length": _("Please tell us a little more (at least %(limit_value)d characters)."),
            "max_length": _("Please keep it shorter (at most %(limit_value)d characters)."),
        },
    )
    photos = PhotosField()
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    region = forms.ModelChoiceField(
        queryset=Region.objects.filter(is_active=True, level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID]),
        required=False,
        widget=forms.Select(attrs={"data-testid": "region"}),
        error_messages={"invalid_choice": _("Please choose your community or grid from the list.")},
    )
    address = forms.CharField(
        required=False,
        max_length=200,
        error_messages={"max_length": _("Please keep the address shorter (at most %(limit_value)d characters).")},
    )
    reporter_name = forms.CharField(
        required=False,
        max_length=50,
        error_messages={"max_length": _("Please keep the name shorter (at most %(limit_value)d characters).")},
    )
    # Full-width digits, spaces, dashes and +86 are read as the digits that are stored.
    reporter_phone = PhoneField(required=False, max_length=20, error_messages={
        "max_length": _("That does not look like a phone number."),
        "invalid": _("That does not look like a phone number. Example: 13812345678.")})
    anonymous = forms.BooleanField(required=False)
    # One random key per form shown (防重复提交): a second post of the same report under it — a
    # double tap on a slow connection, a refresh that posts again — gives the first report's
    # receipt instead of filing it twice (``cases.actions.create_case``'s idempotency key).
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, qr_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission"].initial = secrets.token_urlsafe(16)
        self.fields["region"].widget.choices = place_choices()
        self.qr_code = qr_code
        if qr_code is not None:  # 码上办: the scanned code's place, locked (posted values are ignored)
            self.fields["region"].queryset = Region.objects.filter(pk=qr_code.region_id)
            self.fields["region"].widget.choices = [(qr_code.region_id, qr_code.place_name)]
            for name, value in (("region", qr_code.region_id), ("longitude", None), ("latitude", None)):
                self.fields[name].initial, self.fields[name].disabled = value, True
        self.category_groups, self.category_singles = category_picker()
        offered = [value for group in self.category_groups for value in group.values]
        offered += [value for value, _label in self.category_singles]
        self.fields["category"].queryset = Category.objects.filter(pk__in=offered)

    @property
    def error_summary(self) -> list[FieldError]:
        """The fields in error, in page order, for the summary at the top of the form: on a phone
        the field itself may be far below 15 groups of kinds of problem."""
        if not self.is_bound:
            return []
        errors = self.errors
        summary = []
        for name, anchor, label in self.PAGE_ORDER:
            if name in errors:
                if name == "region" and self.qr_code is not None:
                    anchor = "q-where"  # the scanned place is shown, not the list
                summary.append(FieldError(name, anchor, str(label), list(errors[name])))
        return summary

    @property
    def first_invalid(self) -> str | None:
        """The first field in error on the page: it gets ``autofocus``."""
        summary = self.error_summary
        return summary[0].field if summary else None

    def clean_submission(self) -> str:
        # A key the page did not make (an old page, a hand-made post) is no key: the report is
        # filed as it would be without one, never refused for it (the resident cannot fix it).
        key = self.cleaned_data.get("submission") or ""
        return key if SUBMISSION_KEY.fullmatch(key) else ""

    def clean(self):
        data = super().clean()
        lng, lat = data.get("longitude"), data.get("latitude")
        location_errors = {"longitude", "latitude", "region"} & set(self.errors)
        if location_errors:
            self.errors.pop("longitude", None)
            self.errors.pop("latitude", None)
            if "region" not in self.errors:
                self.add_error("region", _("We could not read the place you chose. Please choose it again."))
        elif (lng is None) != (lat is None):
            self.add_error("region", _("We could not read the place you chose. Please choose it again."))
        elif lng is None and data.get("region") is None:
            self.add_error(
                "region", _("Please tap the place on the map, or choose your community or grid from the list.")
            )
        return data

    def case_kwargs(self) -> dict:
        """The arguments of ``actions.create_case`` this form gives."""
        data = self.cleaned_data
        has_point = data.get("longitude") is not None
        return {
            "category": data.get("category"),
            "description": data["description"],
            "attachments": data.get("photos") or [],
            "longitude": data["longitude"] if has_point else None,
            "latitude": data["latitude"] if has_point else None,
            "region": None if has_point else data.get("region"),
            "address": data.get("address", ""),
            "reporter_name": "" if data.get("anonymous") else data.get("reporter_name", ""),
            "reporter_phone": data.get("reporter_phone", ""),
            "reporter_anonymous": bool(data.get("anonymous")),
            **({"related": self.qr_code} if self.qr_code is not None else {}),  # the timeline links the code
        }

    # The core's refusal, put next to the field it is about.
    CORE_FIELDS = {
        "description": "description", "title": "description", "address": "address",
        "reporter_name": "reporter_name", "reporter_phone": "reporter_phone", "category": "category",
        "attachments": "photos", "location": "region", "longitude": "region", "region": "region",
    }
    CORE_MESSAGES = {
        ("location", "outside_grids"): _(
            "The place you tapped is outside the area we serve. Tap inside one of the coloured "
            "areas on the map, or choose your community from the list."
        ),
        ("region", "inactive"): _("That grid is no longer in use. Please choose another one."),
        ("region", "too_coarse"): _("Please choose your community or grid."),
        ("category", "inactive"): _("That kind of problem can no longer be chosen. Please choose another."),
        ("reporter_phone", "invalid"): _("That does not look like a phone number. Example: 13812345678."),
    }

    def add_case_error(self, exc: CaseError) -> None:
        """Show the core's refusal beside the field it names (or above the form)."""
        core_field, code = next(iter(exc.fields.items()), (None, None))
        self.add_error(self.CORE_FIELDS.get(core_field), self.CORE_MESSAGES.get((core_field, code), exc.message))


# A tracking number as a resident may type it, separators taken out: WG20250301-00012 is
# "WG2025030100012", "2025030100012" or "wg20250301-00012".
TYPED_NUMBER = re.compile(r"(?:WG)?(?P<day>\d{8})(?P<serial>\d{5})")


class LookupForm(forms.Form):
    """查询进度 — a tracking number and the last four digits of the phone given when reporting."""

    number = forms.CharField(
        max_length=20,
        error_messages={"required": _("Please enter the tracking number."),
                        "max_length": _("Please check the tracking number.")},
    )
    phone_last4 = forms.RegexField(
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"required": _("Please enter the last 4 digits of your phone number."),
                        "invalid": _("Enter the last 4 digits of your phone number, e.g. 1234."),
                        "max_length": _("Enter the last 4 digits of your phone number, e.g. 1234.")},
    )

    def clean_number(self) -> str:
        # NFKC: a Chinese input method may type ＷＧ２０２５… in full width. The dash and the "WG"
        # take a phone's symbol and letter keyboards: a number typed without them (or with a
        # Chinese dash, ——) is the same number.
        number = re.sub(r"[\s\-\u2010-\u2015]", "", half_width(self.cleaned_data["number"])).upper()
        if parts := TYPED_NUMBER.fullmatch(number):
            number = f"WG{parts['day']}-{parts['serial']}"
        if not looks_like_case_number(number):
            raise forms.ValidationError(_("A tracking number looks like WG20250301-00012. Please check it."))
        return number

    def clean_phone_last4(self) -> str:
        # The pattern's \d also takes full-width digits (５６７８): compare them as 5678.
        return half_width(self.cleaned_data["phone_last4"])


class RateForm(forms.Form):
    """评价 — how the resident feels about the answer."""

    satisfaction = forms.ChoiceField(
        choices=[
            (Satisfaction.SATISFIED, pgettext_lazy("resident", "Satisfied")),
            (Satisfaction.BASICALLY, pgettext_lazy("resident", "Basically satisfied")),
            (Satisfaction.UNSATISFIED, pgettext_lazy("resident", "Not satisfied")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how satisfied you are."),
                        "invalid_choice": _("Please choose how satisfied you are.")},
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Please keep it shorter (at most %(limit_value)d characters).")},
    )
