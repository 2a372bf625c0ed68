"""Parsing of the staff and phone forms: plain values in, typed values out; the actions validate."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from wangge.core.errors import InvalidInput
from wangge.core.http import row_id
from wangge.org.models import Region


def region(value, field: str = "region", *, required: bool = True) -> Region | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("Choose the place."), fields={field: "required"})
        return None
    pk = row_id(value)
    found = Region.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise InvalidInput(_("Choose the place."), fields={field: "invalid"})
    return found


def date(value, field: str, *, required: bool = True) -> dt.date | None:
    if not value:
        if required:
            raise InvalidInput(_("Give a date."), fields={field: "required"})
        return None
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(_("Give a date as YYYY-MM-DD."), fields={field: "invalid"})
    return parsed


def moment(value, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value).replace(" ", "T"))
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(_("Give a date and time."), fields={field: "invalid"})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def number(value, field: str, *, required: bool = False) -> float | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("This field is required."), fields={field: "required"})
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a number."), fields={field: "invalid"}) from None
    if not math.isfinite(result):
        raise InvalidInput(_("Give a number."), fields={field: "invalid"})
    return result


def integer(value, field: str, *, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    try:
        result = int(str(value))
    except ValueError:
        raise InvalidInput(_("Give a whole number."), fields={field: "invalid"}) from None
    if abs(result) > 2**31:
        raise InvalidInput(_("Give a whole number."), fields={field: "invalid"})
    return result


def row(model, value, field: str, queryset=None, *, required: bool = True):
    if value in (None, ""):
        if required:
            raise InvalidInput(_("This field is required."), fields={field: "required"})
        return None
    qs = queryset if queryset is not None else model.objects.all()
    pk = row_id(value)
    found = qs.filter(pk=pk).first() if pk else None
    if found is None:
        raise InvalidInput(_("Choose one of the listed values."), fields={field: "invalid"})
    return found
