"""Duplicates are found by following the case table (core.followers) instead of one durable
reaction row per filing: start the follower where the old reactions had got to, and drop the
reaction rows it replaces (their cases are read again by the follower)."""

from django.db import migrations

FOLLOWER = "intake_duplicates.find"
SUBSCRIBER = "intake_duplicates.find"


def start_follower(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    PendingReaction = apps.get_model("core", "PendingReaction")
    FollowerMark = apps.get_model("core", "FollowerMark")
    pending = PendingReaction.objects.filter(subscriber=SUBSCRIBER)
    waiting = [row.event.get("subject_id") for row in pending.only("event")]
    waiting = [int(pk) for pk in waiting if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit())]
    if waiting:
        last_id = min(waiting) - 1
    else:
        last = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
        last_id = last or 0
    FollowerMark.objects.update_or_create(name=FOLLOWER, defaults={"last_id": last_id, "done_above": []})
    pending.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake_duplicates", "0002_message_templates"),
        ("core", "0003_followermark"),
        ("cases", "0013_event_hash_chain"),
    ]

    operations = [migrations.RunPython(start_follower, migrations.RunPython.noop)]
