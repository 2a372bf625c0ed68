# Existing notifications: the case becomes the subject (with its page's link), and the
# working-day-calendar alerts get the dedupe key that now finds them ("calendar:<year>").
# A separate migration from the schema changes around it: PostgreSQL refuses to alter a table
# with row updates pending in the same transaction.

import re

from django.db import migrations
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat

YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    if not Notification.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Case = apps.get_model("cases", "Case")
    case_type, _created = ContentType.objects.get_or_create(app_label="cases", model="case")
    number = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("number")[:1])
    Notification.objects.filter(case__isnull=False).update(
        subject_type=case_type, subject_id=F("case_id"), url=Concat(Value("/cases/"), number, Value("/"))
    )
    # One key per admin and year: on the newest alert (older ones stay without a key).
    keyed = set()
    for pk, recipient_id, message in (Notification.objects.filter(kind="calendar", dedupe_key="")
                                      .order_by("-created_at", "-pk").values_list("pk", "recipient_id", "message")):
        match = YEAR.search(message)
        if match and (recipient_id, match.group(1)) not in keyed:
            keyed.add((recipient_id, match.group(1)))
            Notification.objects.filter(pk=pk).update(dedupe_key=f"calendar:{match.group(1)}")


def backwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is not None:
        Notification.objects.filter(subject_type=case_type).update(case_id=F("subject_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0003_notification_subject"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
