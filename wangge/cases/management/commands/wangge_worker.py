"""The background worker: makes sure the sweep is scheduled, then runs django-tasks-db's worker."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.cases.tasks import schedule_next_sweep


class Command(BaseCommand):
    help = "Run the background worker (deadline sweep, notifications) — 后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        schedule_next_sweep(delay=0)
        call_command("db_worker", interval=options["interval"], reload=False)
