"""audit/0005: the phone numbers that export records written before kept in clear in their
filters (``q=13812341234``) are masked, the rest of each record kept — also on PostgreSQL, where
the record is append-only (the trigger is lifted for the migration only, and is back after)."""

from __future__ import annotations

import importlib
from urllib.parse import unquote_plus

import pytest
from django.apps import apps as current_apps
from django.db import DatabaseError, connection, transaction

from wangge.audit.choices import ExportedList
from wangge.audit.models import DataExportRecord

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wangge.audit.migrations.0005_mask_phones_in_export_filters")


def record(filters: str) -> DataExportRecord:
    return DataExportRecord.objects.create(username="clerk", what=ExportedList.CASES, filters=filters, rows=3)


def test_phones_in_recorded_filters_are_masked_and_nothing_else_changes():
    typed = record("q=13812341234&status=accepted")
    spaced = record("status=closed&q=%2B86+138-1234-5678")
    inside = record("q=%E4%BA%95%E7%9B%96+13900003333")
    landline = record("q=010-62345678")
    plain = record("q=WG20261124-00042&submitted_after=2026-11-01")
    caller = record("caller=138****1234")
    untouched = {r.pk: r.filters for r in (plain, caller)}

    migration.mask_phones(current_apps, connection.schema_editor())

    filters = {r.pk: r.filters for r in DataExportRecord.objects.all()}
    assert filters[typed.pk] == "q=138%2A%2A%2A%2A1234&status=accepted"
    assert unquote_plus(filters[spaced.pk]) == "status=closed&q=138****5678"
    assert unquote_plus(filters[inside.pk]) == "q=井盖 139****3333"
    assert unquote_plus(filters[landline.pk]) == "q=010****5678"
    assert {pk: filters[pk] for pk in untouched} == untouched
    for text in filters.values():
        for number in ("13812341234", "13812345678", "13900003333", "01062345678"):
            assert number not in unquote_plus(text).replace("-", "").replace(" ", "")
    kept = DataExportRecord.objects.get(pk=typed.pk)
    assert (kept.username, kept.what, kept.rows) == ("clerk", ExportedList.CASES, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_record_is_append_only_again_after_the_migration():
    row = record("q=13812341234")
    migration.mask_phones(current_apps, connection.schema_editor())
    assert DataExportRecord.objects.get(pk=row.pk).filters == "q=138%2A%2A%2A%2A1234"
    with pytest.raises(DatabaseError), transaction.atomic():
        DataExportRecord.objects.filter(pk=row.pk).update(filters="q=changed")
