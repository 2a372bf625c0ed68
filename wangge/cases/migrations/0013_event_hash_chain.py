"""Seal the timeline: every event carries ``hash`` (SHA-256 over its canonical content and the
hash of the event before it on its case) and ``prev_hash`` ("" for a case's first event).

The existing events are chained here, per case in insertion (primary-key) order — the order in
which ``cases.events`` appends, since each case's rows are written under its row lock. Written
for a million events: the cases are walked in primary-key batches (a keyset: this writes to the
table it reads, which SQLite does not isolate), each batch's events read in one query and
written back with ``bulk_update``; then (case, prev_hash) is made unique — no fork. The canonical form is copied from
``wangge.cases.models.event.event_hash`` (a migration must not import app code that may change;
a test checks that the two agree).
"""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

CASES = 500
BATCH = 1000
HASH_PREFIX = "wangge.caseevent.v1"


def _plain(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def event_hash(event, prev_hash):
    at = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [
        HASH_PREFIX, event.case_id, event.type, event.actor_id, event.actor_kind, at,
        event.from_status, event.to_status, _plain(json.loads(json.dumps(event.data or {}))),
        event.note, bool(event.public), event.related_type_id, event.related_id, prev_hash or "",
    ]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


FIELDS = ("case_id", "type", "actor_id", "actor_kind", "created_at", "from_status", "to_status", "data", "note",
          "public", "related_type_id", "related_id")


def chain_events(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    last_pk = 0
    while True:
        ids = list(Case.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:CASES])
        if not ids:
            break
        last_pk = ids[-1]
        events = list(CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "pk").only(*FIELDS))
        case_id, prev = None, ""
        for event in events:
            if event.case_id != case_id:
                case_id, prev = event.case_id, ""
            event.prev_hash = prev
            event.hash = prev = event_hash(event, prev)
        CaseEvent.objects.bulk_update(events, ["hash", "prev_hash"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_reporter_access_granted"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(chain_events, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(fields=("case", "prev_hash"), name="cases_event_one_successor"),
        ),
    ]
