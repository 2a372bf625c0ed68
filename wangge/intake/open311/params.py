"""Reading an Open311 call's parameters: every problem becomes an entry of the standard error
list (400, or 404 for a service that does not exist), and nothing is written before all pass."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from wangge.cases.models import Category

from .actions import Report
from .choices import AttributeDatatype
from .errors import ErrorList, Open311Error
from .models import Open311Client, ServiceAttribute

# Characters no text field may hold: NUL and the other C0 controls but tab and newlines
# (PostgreSQL refuses NUL outright; the rest are never typed by a person).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOKEN_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
SERVICE_CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9\-]{1,20}$")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")
MAX_DESCRIPTION = 4000  # the spec's limit
DEFAULT_DAYS = 90  # GET requests: the spec's default window and its widest span
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


def jurisdiction_id() -> str:
    return getattr(settings, "WANGGE_OPEN311_JURISDICTION_ID", "wangge")


def check_jurisdiction(params) -> None:
    """This endpoint serves one jurisdiction, so the parameter is optional; a different one is a 404."""
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction_id():
        raise Open311Error(_("jurisdiction_id %(j)s was not found; this endpoint serves %(ours)s.")
                           % {"j": given[:100], "ours": jurisdiction_id()}, status=404)


def text(params, name: str, errors: ErrorList, *, max_length: int, label: str = "") -> str:
    value = params.get(name) or ""
    if _CONTROL.search(value):
        errors.add(_("%(name)s contains control characters.") % {"name": label or name})
        return ""
    value = value.strip()
    if len(value) > max_length:
        errors.add(_("%(name)s is too long (at most %(n)d characters).") % {"name": label or name, "n": max_length})
        return ""
    return value


def _number(params, name: str, errors: ErrorList, low: float, high: float) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        errors.add(_("%(name)s must be a number between %(low)s and %(high)s.") % {"name": name, "low": low, "high": high})
        return None
    return value


def parse_report(params, *, client: Open311Client, idempotency_key: str = "") -> Report:
    """POST Service Request → a checked ``Report`` (or the list of everything wrong)."""
    errors = ErrorList()
    code = (params.get("service_code") or "").strip()
    category = None
    if not code:
        errors.add(_("service_code was not provided."))
    elif not SERVICE_CODE_RE.match(code) or not (category := Category.objects.filter(code=code, is_active=True).first()):
        errors.add(_("service_code %(code)s was not found.") % {"code": code[:60]}, status=404)

    lat = _number(params, "lat", errors, -90, 90)
    lng = _number(params, "long", errors, -180, 180)
    if (lat is None) != (lng is None) and not errors.errors:
        errors.add(_("Give both lat and long."))
    address = text(params, "address_string", errors, max_length=200)
    address_id = text(params, "address_id", errors, max_length=100)
    region = None
    if lat is None and lng is None:
        if not (address or address_id):
            errors.add(_("Give the location: lat and long, or address_string."))
        elif client.default_region_id is None:
            # No geocoder here: an address cannot be placed in a grid, and guessing would send
            # the case to the wrong community. The client's admin may name a default community.
            errors.add(_("address_string cannot be placed on the map here; send lat and long with it."))
        else:
            region = client.default_region
            address = address or address_id

    description = text(params, "description", errors, max_length=MAX_DESCRIPTION)
    media_url = text(params, "media_url", errors, max_length=500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.add(_("media_url must be an http or https URL."))
            media_url = ""
    first = text(params, "first_name", errors, max_length=25)
    last = text(params, "last_name", errors, max_length=25)
    phone = text(params, "phone", errors, max_length=32)
    email = text(params, "email", errors, max_length=254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.add(_("email is not a valid e-mail address."))
    device_id = text(params, "device_id", errors, max_length=100)
    account_id = text(params, "account_id", errors, max_length=100)
    token = (params.get("token") or idempotency_key or "").strip()
    if token and not TOKEN_RE.match(token):
        errors.add(_("token must be 1 to 64 letters, digits or . _ : -"))
    attributes, labels = ({}, {}) if category is None else _attributes(params, category, errors)
    errors.raise_any()
    if not description:
        # The spec makes description optional; a case needs one: say what was reported.
        description = _("%(service)s (reported through Open311 without a description)") % {
            "service": category.resident_label or category.name}
    return Report(
        category=category, description=description, token=token or uuid.uuid4().hex,
        latitude=lat, longitude=lng, address=address, region=region, media_url=media_url,
        # Chinese order: family name first.
        reporter_name=f"{last}{first}" if re.search(r"[\u4e00-\u9fff]", last + first) else " ".join(p for p in (first, last) if p),
        reporter_phone=phone, device_id=device_id, account_id=account_id,
        attributes=attributes, attribute_labels=labels,
    )


def _attributes(params, category: Category, errors: ErrorList) -> tuple[dict, dict]:
    """attribute[code]=value (attribute[code][]=… for a multi-value list), checked against the
    service definition."""
    defined = {a.code: a for a in ServiceAttribute.objects.filter(category=category, is_active=True, variable=True)}
    given: dict[str, list[str]] = {}
    for key in params:
        match = ATTRIBUTE_RE.match(key)
        if key.startswith("attribute[") and not match:
            errors.add(_("%(key)s is not a valid attribute parameter.") % {"key": key[:80]})
            continue
        if match:
            given[match.group(1)] = [v.strip() for v in params.getlist(key)]
    values, labels = {}, {}
    for code in given.keys() - defined.keys():
        errors.add(_("Attribute %(code)s is not defined for this service.") % {"code": code})
    for code, attribute in defined.items():
        raw = [v for v in given.get(code, []) if v]
        if not raw:
            if attribute.required:
                errors.add(_("Attribute %(code)s is required: %(question)s") % {"code": code, "question": attribute.description})
            continue
        if any(_CONTROL.search(v) or len(v) > 1000 for v in raw):
            errors.add(_("Attribute %(code)s is not valid.") % {"code": code})
            continue
        value = _attribute_value(attribute, raw)
        if value is None:
            errors.add(_("Attribute %(code)s is not valid for %(datatype)s.") % {"code": code, "datatype": attribute.datatype})
            continue
        values[code], labels[code] = value, attribute.description
    return values, labels


def _attribute_value(attribute: ServiceAttribute, raw: list[str]):
    kind = attribute.datatype
    if kind == AttributeDatatype.MULTI:
        keys = set(attribute.value_keys())
        return raw if all(v in keys for v in raw) else None
    if len(raw) != 1:
        return None
    value = raw[0]
    if kind == AttributeDatatype.SINGLE:
        return value if value in attribute.value_keys() else None
    if kind == AttributeDatatype.NUMBER:
        try:
            return value if math.isfinite(float(value)) else None
        except ValueError:
            return None
    if kind == AttributeDatatype.DATETIME:
        return value if parse_moment(value) is not None else None
    return value


def parse_moment(raw: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """ISO 8601 (w3 note) with an offset or Z; a date alone, or a time without an offset, is
    read in the platform's time zone. None when it is not a date."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        try:
            day = parse_date(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
        except ValueError:  # 2026-13-01: shaped like a date, but none
            day = None
        if day is None:
            return None
        moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@dataclass
class RequestQuery:
    """GET Service Requests, checked."""

    ids: list[str]
    codes: list[str]
    start: dt.datetime | None
    end: dt.datetime | None
    statuses: list[str]
    page: int
    page_size: int


def _int(raw: str | None, name: str, errors: ErrorList, low: int, high: int, default: int) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    # ASCII digits, and few of them: "²" is a digit to str.isdigit() but not to int(), and int()
    # refuses more than 4,300 digits — both were a 500 instead of this error.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        errors.add(_("%(name)s must be a whole number from %(low)d to %(high)d.") % {"name": name, "low": low, "high": high})
        return default
    return int(raw)


def _dates(params, errors: ErrorList) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = end = None
    for name in ("start_date", "end_date"):
        raw = (params.get(name) or "").strip()
        if raw:
            moment = parse_moment(raw, end_of_day=name == "end_date")
            if moment is None:
                errors.add(_("%(name)s must be a date and time in ISO 8601, e.g. 2026-03-01T08:00:00+08:00.") % {"name": name})
            elif name == "start_date":
                start = moment
            else:
                end = moment
    if start and end and start > end:
        errors.add(_("start_date must not be after end_date."))
    return start, end


def _list(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def parse_request_query(params) -> RequestQuery:
    errors = ErrorList()
    ids = _list(params.get("service_request_id"))
    if len(ids) > MAX_PAGE_SIZE or any(not REQUEST_ID_RE.match(i) for i in ids):
        errors.add(_("service_request_id must be a comma-separated list of at most %(n)d request ids.") % {"n": MAX_PAGE_SIZE})
    codes = _list(params.get("service_code"))
    if len(codes) > 100 or any(not SERVICE_CODE_RE.match(c) for c in codes):
        errors.add(_("service_code is not valid."))
    statuses = [s.lower() for s in _list(params.get("status"))]
    if any(s not in ("open", "closed") for s in statuses):
        errors.add(_("status must be open or closed."))
    start, end = _dates(params, errors)
    if start and end and end - start > dt.timedelta(days=DEFAULT_DAYS):
        errors.add(_("start_date and end_date may be at most %(n)d days apart.") % {"n": DEFAULT_DAYS})
    page = _int(params.get("page"), "page", errors, 1, 100_000, 1)
    page_size = _int(params.get("page_size"), "page_size", errors, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    errors.raise_any()
    if not ids:
        # The spec's default window: the last 90 days (or 90 days either side of the one given).
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - dt.timedelta(days=DEFAULT_DAYS)
        elif end is None:
            end = start + dt.timedelta(days=DEFAULT_DAYS)
    return RequestQuery(ids, codes, start, end, statuses, page, page_size)


def parse_update_query(params) -> RequestQuery:
    """servicerequestupdates (FixMyStreet): start_date / end_date (default: the last 24 hours),
    service_request_id (our addition), page / page_size."""
    errors = ErrorList()
    ids = _list(params.get("service_request_id"))
    if len(ids) > MAX_PAGE_SIZE or any(not REQUEST_ID_RE.match(i) for i in ids):
        errors.add(_("service_request_id must be a comma-separated list of at most %(n)d request ids.") % {"n": MAX_PAGE_SIZE})
    start, end = _dates(params, errors)
    page = _int(params.get("page"), "page", errors, 1, 100_000, 1)
    page_size = _int(params.get("page_size"), "page_size", errors, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    errors.raise_any()
    if not ids:
        end = end or timezone.now()
        start = start or end - dt.timedelta(days=1)
    return RequestQuery(ids, [], start, end, [], page, page_size)
