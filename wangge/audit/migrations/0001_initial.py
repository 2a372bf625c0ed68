import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SignInRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                ("kind", models.CharField(choices=[("login", "Signed in"), ("logout", "Signed out"), ("failed", "Sign-in failed")], max_length=16, verbose_name="event")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="username")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="browser")),
                ("user", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="account")),
            ],
            options={
                "verbose_name": "sign-in record",
                "verbose_name_plural": "sign-in records",
                "ordering": ["-at", "-pk"],
            },
        ),
    ]
