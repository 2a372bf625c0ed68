"""The background worker: makes sure the periodic jobs are scheduled, then runs django-tasks-db's
worker. Several workers may run at once, on any machines; each periodic job keeps one chain."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.cases.tasks import schedule_next_sweep
from wangge.dashboard.tasks import schedule_refresh


class Command(BaseCommand):
    help = "Run the background worker (deadline sweep, dashboard figures) — 后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        schedule_next_sweep(delay=0)
        schedule_refresh(delay=0)
        call_command("db_worker", interval=options["interval"], reload=False)
