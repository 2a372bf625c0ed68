from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PeriodicJobState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="job")),
                ("task_path", models.CharField(blank=True, max_length=300, verbose_name="task")),
                ("last_started_at", models.DateTimeField(blank=True, null=True, verbose_name="last started")),
                ("last_finished_at", models.DateTimeField(blank=True, null=True, verbose_name="last finished")),
                ("last_succeeded", models.BooleanField(blank=True, null=True, verbose_name="last run succeeded")),
                ("last_worker", models.CharField(blank=True, max_length=64, verbose_name="last worker")),
                ("last_error", models.CharField(blank=True, max_length=300, verbose_name="last error")),
            ],
            options={
                "verbose_name": "periodic job state",
                "verbose_name_plural": "periodic job states",
            },
        ),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("worker_id", models.CharField(max_length=64, unique=True, verbose_name="worker")),
                ("hostname", models.CharField(blank=True, max_length=255, verbose_name="host")),
                ("pid", models.PositiveIntegerField(blank=True, null=True, verbose_name="process id")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                ("seen_at", models.DateTimeField(db_index=True, verbose_name="last seen")),
            ],
            options={
                "verbose_name": "worker heartbeat",
                "verbose_name_plural": "worker heartbeats",
            },
        ),
    ]
