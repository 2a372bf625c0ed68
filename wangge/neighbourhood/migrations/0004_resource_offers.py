from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("neighbourhood", "0003_message_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="offers",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="services offered",
                help_text="Short words residents would use, separated by 、 or spaces, e.g. 代买、米、面、油、送货上门."),
        ),
    ]
