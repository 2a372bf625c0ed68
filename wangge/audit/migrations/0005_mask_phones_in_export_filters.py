"""导出日志: the phone numbers in filters recorded before the case list stopped putting them into
URLs (``q=13812341234`` — a caller's phone search, exported) are masked: ``q=138****1234``.

The record is append-only on PostgreSQL (the ``wangge_append_only`` trigger of 0002/0003): this
one-time correction disables the trigger on ``audit_dataexportrecord`` for its own transaction
only (PostgreSQL's DDL is transactional: the trigger is back on at the commit, and on if it fails).
It is allowed because it removes personal data the log never needed — what was exported, by whom,
when and how many rows all stay, and the masked number still says a caller's cases were exported
(as the records written since say ``caller=138****1234``) — and it is the only change made.
"""

import re
from urllib.parse import parse_qsl, urlencode

from django.db import migrations

from wangge.residents.masking import FULL_PHONE_RE, full_phone, mask_phone

TABLE = "audit_dataexportrecord"
# A whole number inside a value ("井盖 13812341234"), not digits of a longer run.
_INSIDE = re.compile(rf"(?<!\d)(?:{FULL_PHONE_RE.pattern})(?!\d)")


def masked_value(value: str) -> str:
    number = full_phone(value)
    if number:
        return mask_phone(number)
    return _INSIDE.sub(lambda match: mask_phone(match.group()), value)


def masked_filters(filters: str) -> str:
    """``filters`` (a query string) with every phone number in its values masked; unchanged
    (the same string) when it holds none."""
    pairs = parse_qsl(filters, keep_blank_values=True)
    masked = [(key, masked_value(value)) for key, value in pairs]
    return urlencode(masked) if masked != pairs else filters


def mask_phones(apps, schema_editor):
    DataExportRecord = apps.get_model("audit", "DataExportRecord")
    postgres = schema_editor.connection.vendor == "postgresql"
    changed = []
    for record in DataExportRecord.objects.exclude(filters="").only("pk", "filters").iterator():
        masked = masked_filters(record.filters)
        if masked != record.filters:
            record.filters = masked
            changed.append(record)
    if not changed:
        return
    if postgres:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER wangge_append_only;", params=None)
    DataExportRecord.objects.bulk_update(changed, ["filters"], batch_size=500)
    if postgres:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER wangge_append_only;", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_key_person_exports"),
    ]

    operations = [
        # Not reversible in substance: the numbers are gone (that is the point).
        migrations.RunPython(mask_phones, migrations.RunPython.noop),
    ]
