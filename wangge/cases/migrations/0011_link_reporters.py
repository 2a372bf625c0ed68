"""Link the existing cases to their reporter residents: same phone → same resident.

For every case with a reporter phone that is not anonymous, one ``Resident`` per normalised phone
(named after the most recent non-empty ``reporter_name`` of that phone; first and last seen at the
phone's oldest and newest case, so the retention clock starts at the last report, not at this
migration). A phone that is not a phone number ("不详") gets no resident, as in
``residents.services.resident_for_report``. The cases keep their snapshot fields.

Written for a million cases: a first pass reads ``values_list`` through ``.iterator()``, the
residents are bulk-created, a second pass walks the cases in primary-key batches (a keyset, not
an iterator, because it writes to the table it reads — SQLite does not isolate the two) and
``bulk_update``s ``reporter``. The phone rule is copied here: a migration must not import app code
that may change.
"""

import re

from django.db import migrations

PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7}")
SEPARATORS = re.compile(r"[\s\-()（）]")
CHUNK = 2000
BATCH = 1000


def normalise_phone(phone):
    digits = SEPARATORS.sub("", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def phone_key(phone):
    """The normalised phone, or "" if it is not a phone number."""
    digits = normalise_phone(phone)
    return digits if PHONE_RE.fullmatch(digits) else ""


def _unlinked(Case):
    return Case.objects.filter(reporter__isnull=True, reporter_anonymous=False).exclude(reporter_phone="")


def link_reporters(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Resident = apps.get_model("residents", "Resident")
    max_name = Resident._meta.get_field("name").max_length

    # 1. One entry per phone: the newest non-empty name, the first and the last report.
    phones = {}  # phone → [name, name_at, first_at, last_at]
    rows = _unlinked(Case).order_by().values_list("reporter_phone", "reporter_name", "submitted_at")
    for raw_phone, name, at in rows.iterator(chunk_size=CHUNK):
        key = phone_key(raw_phone)
        if not key:
            continue
        entry = phones.get(key)
        if entry is None:
            phones[key] = entry = ["", None, at, at]
        name = (name or "").strip()
        if name and (entry[1] is None or at >= entry[1]):
            entry[0], entry[1] = name[:max_name], at
        entry[2], entry[3] = min(entry[2], at), max(entry[3], at)
    if not phones:
        return

    # 2. The residents: the ones already there (a re-run, an intake since) are reused.
    resident_of = {}
    keys = sorted(phones)
    for start in range(0, len(keys), BATCH):
        part = keys[start:start + BATCH]
        existing = dict(Resident.objects.filter(phone__in=part).values_list("phone", "pk"))
        Resident.objects.bulk_create(
            [Resident(phone=key, name=phones[key][0], created_at=phones[key][2], last_seen_at=phones[key][3])
             for key in part if key not in existing],
            batch_size=BATCH,
        )
        resident_of.update(Resident.objects.filter(phone__in=part).values_list("phone", "pk"))

    # 3. The cases, in primary-key order.
    last_pk = 0
    while True:
        chunk = list(
            _unlinked(Case).filter(pk__gt=last_pk).order_by("pk").values_list("pk", "reporter_phone")[:CHUNK]
        )
        if not chunk:
            break
        last_pk = chunk[-1][0]
        linked = [
            Case(pk=pk, reporter_id=resident_of[key])
            for pk, raw_phone in chunk
            if (key := phone_key(raw_phone)) in resident_of
        ]
        Case.objects.bulk_update(linked, ["reporter"], batch_size=BATCH)


def unlink_reporters(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(reporter__isnull=False).update(reporter=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_reporter_source_related"),
        ("residents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(link_reporters, unlink_reporters, elidable=True),
    ]
