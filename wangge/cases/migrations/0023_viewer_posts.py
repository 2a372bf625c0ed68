"""信息查看记录: an access-log row keeps the posts its viewer held when they looked
(``viewer_posts``, [[role, department or place], …]), so a resident is told the post of the time,
not the one held today. Rows logged before stay NULL (a new nullable column: no row is updated,
the append-only trigger is not involved) and are shown with the viewer's posts today."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0022_timeline_redaction'),
    ]

    operations = [
        migrations.AddField(
            model_name='reporteraccesslog',
            name='viewer_posts',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="viewer's posts then"),
        ),
    ]
