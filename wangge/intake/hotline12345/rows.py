"""From a row of the hotline's file to what ``create_case`` will be given, or the reasons it
cannot be (逐行校验). Pure reading: nothing here writes.

A problem is ``Problem(line, field, column, code, value)``; its sentence (in the reader's
language) comes from ``REASONS`` when it is shown, so a report reads in Chinese or English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from wangge.cases.models import Category
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.residents.masking import normalise_phone, valid_phone

from .choices import DATE_FIELDS, MAX_LENGTH, REQUIRED_FIELDS, Field
from .reader import key, text

# The hotline's times are Beijing time, whatever the server's zone.
HOTLINE_TZ = ZoneInfo("Asia/Shanghai")
# Excel day numbers this import takes for dates: 1982-01-01 … 2118-12-31.
SERIAL_MIN, SERIAL_MAX = 30000, 80000
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]|\d{15}")
_SERIAL_TEXT = re.compile(r"\d{5}(\.\d+)?")
# Fields that name or number something: NFKC-normalised whole (see ``reader.key``).
KEY_FIELDS = frozenset({Field.ORDER_NUMBER, Field.REPORTER_PHONE, Field.ID_NUMBER, Field.CATEGORY, Field.PLACE})
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y%m%d")

REASONS = {
    "missing_column": _("The column “%(column)s” of the mapping is not in the file."),
    "required": _("Required, but empty."),
    "too_long": _("Too long (at most %(n)s characters)."),
    "invalid_phone": _("Not a phone number (mobile, or landline with area code)."),
    "invalid_id_number": _("Not an ID number (18 characters; set the column's format to text in Excel, "
                           "long numbers lose their last digits)."),
    "unknown_category": _("No such category on this platform."),
    "inactive_category": _("That category is no longer in use."),
    "unknown_place": _("No such community or grid in this sub-district."),
    "invalid_time": _("Not a date and time (e.g. 2026-03-01 08:30)."),
    "time_in_future": _("The time received is in the future."),
    "deadline_before_received": _("The deadline is before the time received."),
    "duplicate_in_file": _("The same order number is already on line %(n)s of this file."),
}


def reason(code: str, **params) -> str:
    message = str(REASONS.get(code, code))
    return message % params if params else message


@dataclass
class Problem:
    line: int
    field: str
    column: str
    code: str
    value: str = ""
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Order:
    """One row as it will be filed."""

    line: int
    order_number: str
    description: str
    title: str = ""
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    category: Category | None = None
    region: Region | None = None
    received_at: dt.datetime | None = None
    deadline: dt.datetime | None = None

    def case_fields(self) -> dict:
        return dict(description=self.description, title=self.title, address=self.address,
                    reporter_name=self.reporter_name, reporter_phone=self.reporter_phone,
                    category=self.category, region=self.region, submitted_at=self.received_at,
                    source_due_at=self.deadline)  # 来源时限: never due after the hotline's 办理时限


def parse_time(value) -> dt.datetime | None:
    """A cell → an aware datetime (Beijing time when the file gives none); None if it is none.
    Raises ValueError for what is not a time. Excel day numbers (45351.5) are dates too."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_serial(float(value))
    else:
        raw = key(value)
        if _SERIAL_TEXT.fullmatch(raw):
            moment = _from_serial(float(raw))
        else:
            cleaned = re.sub(r"\s+", " ", raw.replace("年", "-").replace("月", "-").replace("日", " ")
                             .replace("/", "-").replace(".", "-").replace("T", " ")).strip()
            cleaned = re.sub(r"(\d{1,2}):(\d{2}):(\d{2})-\d+$", r"\1:\2:\3", cleaned)  # fractions of a second
            for fmt in _DATE_FORMATS:
                try:
                    moment = dt.datetime.strptime(cleaned, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(raw)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=HOTLINE_TZ)
    return moment


def shown_time(value: str | dt.datetime | None) -> str:
    """A time of the hotline as its people read it: Beijing time, to the minute ("2026-11-30 08:30");
    ``value`` is a datetime or its ISO text (as a job's preview keeps it)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_naive(value):
        value = value.replace(tzinfo=HOTLINE_TZ)
    return value.astimezone(HOTLINE_TZ).strftime("%Y-%m-%d %H:%M")


def _from_serial(number: float) -> dt.datetime:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise ValueError(number)
    return from_excel(number)


class RowChecker:
    """Checks rows of one file against one mapping, in one sub-district."""

    def __init__(self, *, headers: list[str], mapping: dict, subdistrict: Region, header_line: int = 1,
                 now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self.subdistrict = subdistrict
        self.file_problems: list[Problem] = []
        self.columns: dict[str, tuple[int, str]] = {}  # field → (index, heading)
        positions = {h: i for i, h in reversed(list(enumerate(headers))) if h}
        for name, heading in mapping.items():
            heading = key(heading)
            if not heading or name not in Field.values:
                continue
            if heading in positions:
                self.columns[name] = (positions[heading], heading)
            else:
                self.file_problems.append(Problem(header_line, name, heading, "missing_column",
                                                  params={"column": heading}))
        self.seen: dict[str, int] = {}
        self._categories: dict[str, Category] | None = None
        self._places: dict[str, Region] | None = None

    # lookups, loaded once per file
    def category_named(self, name: str) -> Category | None:
        if self._categories is None:
            self._categories = {}
            # Codes first; then names, the categories in use last so that they win over retired ones.
            for c in Category.objects.order_by("is_active", "pk"):
                self._categories[key(c.code)] = c
            for c in Category.objects.order_by("is_active", "pk"):
                self._categories[key(c.name)] = c
        return self._categories.get(name)

    def place_named(self, name: str) -> Region | None:
        if self._places is None:
            self._places = {}
            for r in Region.objects.get_tree(self.subdistrict).filter(
                    level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID], is_active=True):
                self._places.setdefault(key(r.name), r)
        return self._places.get(name)

    def check(self, line: int, cells: list) -> tuple[Order | None, list[Problem]]:
        problems: list[Problem] = []
        values: dict[str, object] = {}
        for name, (index, heading) in self.columns.items():
            values[name] = cells[index] if index < len(cells) else None

        def bad(name, code, value="", **params):
            heading = self.columns.get(name, (0, str(Field(name).label)))[1]
            problems.append(Problem(line, name, heading, code, text(value)[:100], params))

        strings = {}
        for name in Field.values:
            if name in DATE_FIELDS:
                continue
            value = (key if name in KEY_FIELDS else text)(values.get(name))
            if name in REQUIRED_FIELDS and not value:
                bad(name, "required")
            elif name in MAX_LENGTH and len(value) > MAX_LENGTH[name]:
                bad(name, "too_long", value, n=MAX_LENGTH[name])
            strings[name] = value

        phone = strings[Field.REPORTER_PHONE]
        if phone and not valid_phone(phone):
            bad(Field.REPORTER_PHONE, "invalid_phone", phone)
        id_number, raw_id = strings[Field.ID_NUMBER].upper(), values.get(Field.ID_NUMBER)
        # A number of more than 15 digits in a cell: Excel has already replaced its end with zeros.
        lost = isinstance(raw_id, int | float) and not isinstance(raw_id, bool) and abs(raw_id) >= 1e15
        if id_number and (lost or not ID_NUMBER_RE.fullmatch(id_number)):
            bad(Field.ID_NUMBER, "invalid_id_number", id_number)

        category = None
        if strings[Field.CATEGORY]:
            category = self.category_named(strings[Field.CATEGORY])
            if category is None:
                bad(Field.CATEGORY, "unknown_category", strings[Field.CATEGORY])
            elif not category.is_active:
                bad(Field.CATEGORY, "inactive_category", strings[Field.CATEGORY])
        region = self.subdistrict
        if strings[Field.PLACE]:
            region = self.place_named(strings[Field.PLACE])
            if region is None:
                bad(Field.PLACE, "unknown_place", strings[Field.PLACE])

        times = {}
        for name in (Field.RECEIVED_AT, Field.DEADLINE):
            try:
                times[name] = parse_time(values.get(name))
            except (ValueError, OverflowError):
                times[name] = None
                bad(name, "invalid_time", values.get(name))
        received, deadline = times[Field.RECEIVED_AT], times[Field.DEADLINE]
        if received and received > self.now + dt.timedelta(minutes=5):
            bad(Field.RECEIVED_AT, "time_in_future", values.get(Field.RECEIVED_AT))
        if received and deadline and deadline < received:
            bad(Field.DEADLINE, "deadline_before_received", values.get(Field.DEADLINE))

        number = strings[Field.ORDER_NUMBER]
        if number:
            first = self.seen.setdefault(number, line)
            if first != line:
                bad(Field.ORDER_NUMBER, "duplicate_in_file", number, n=first)

        if problems:
            return None, problems
        return Order(
            line=line, order_number=number, description=strings[Field.DESCRIPTION], title=strings[Field.TITLE],
            address=strings[Field.ADDRESS], reporter_name=strings[Field.REPORTER_NAME],
            reporter_phone=normalise_phone(phone) if phone else "", category=category, region=region,
            received_at=received, deadline=deadline,
        ), []
