"""The background worker: makes sure the periodic jobs every app registered
(``wangge.core.periodic``: the deadline sweep, the dashboard figures …) are scheduled, then runs
django-tasks-db's worker. Several workers may run at once, on any machines; each periodic job
keeps one chain."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.core.periodic import periodic_jobs


class Command(BaseCommand):
    help = "Run the background worker (deadline sweep, dashboard figures) — 后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        for job in periodic_jobs():
            job.schedule()
            if options["verbosity"] > 1:
                self.stdout.write(f"periodic job {job.name}: every {job.interval()} s")
        call_command("db_worker", interval=options["interval"], reload=False)
