# The case foreign key is gone (its id now lives in subject_type/subject_id); a dedupe key is
# unique per recipient.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0004_notification_subject_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(
            model_name="notification",
            name="case",
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(condition=models.Q(("dedupe_key", ""), _negated=True),
                                               fields=("recipient", "dedupe_key"),
                                               name="notification_unique_dedupe_key"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("subject_id__isnull", True), ("subject_type__isnull", True)),
                                   models.Q(("subject_id__isnull", False), ("subject_type__isnull", False)),
                                   _connector="OR"),
                name="notification_subject_whole"),
        ),
    ]
