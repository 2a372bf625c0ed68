"""Saved filters no longer keep a caller's phone (``SavedFilterForm.clean_querystring``): the ones
saved before lose their phone search and keep their other filters. The rule is written out here
(as ``residents.masking.full_phone`` had it) so that the migration stays what it was."""

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode

from django.db import migrations

FULL_PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{9,11}")
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015()]")


def _is_phone(text: str) -> bool:
    digits = SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    return bool(FULL_PHONE.fullmatch(digits))


def drop_phones(apps, schema_editor):
    SavedFilter = apps.get_model("web", "SavedFilter")
    for saved in SavedFilter.objects.filter(querystring__contains="q=").iterator():
        pairs = parse_qsl(saved.querystring, keep_blank_values=True)
        kept = [(key, value) for key, value in pairs if not (key == "q" and _is_phone(value))]
        if kept != pairs:
            saved.querystring = urlencode(kept)
            saved.save(update_fields=["querystring"])


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0002_list_columns"),
    ]

    operations = [
        migrations.RunPython(drop_phones, migrations.RunPython.noop),
    ]
