"""The background worker: makes sure the periodic jobs every app registered
(``wangge.core.periodic``: the deadline sweep, the dashboard figures …) are scheduled, then runs
django-tasks-db's worker. Several workers may run at once, on any machines; each periodic job
keeps one chain.

On the database backend a side thread beats for this worker and watches the others
(``core.periodic.Supervisor``): when a worker dies (kill -9, a lost machine), its RUNNING task is
marked failed and the periodic chain it was running is started again by a live worker."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from wangge.core import periodic
from wangge.core.periodic import periodic_jobs


class Command(BaseCommand):
    help = "Run the background worker (deadline sweep, dashboard figures) — 后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        supervised = periodic.uses_database_backend()
        worker_kwargs = {"interval": options["interval"], "reload": False}
        supervisor = None
        if supervised:
            worker_id = periodic.new_worker_id()
            worker_kwargs["worker_id"] = worker_id
            periodic.beat(worker_id)  # before the first claim, so no task of ours looks orphaned
        for job in periodic_jobs():
            job.schedule()
            if options["verbosity"] > 1:
                self.stdout.write(f"periodic job {job.name}: every {job.interval()} s")
        try:
            if supervised:
                supervisor = periodic.Supervisor(worker_id).start()
            call_command("db_worker", **worker_kwargs)
        finally:
            if supervisor is not None:
                supervisor.stop()
                periodic.retire_worker(worker_id)
