"""``manage.py health``: the checks of ``GET /healthz`` on the command line (运行状况). Exit status 1
when any fails — for cron, systemd or a container's health check."""

import json

from django.core.management.base import BaseCommand, CommandError

from wangge.core.health import run_checks


class Command(BaseCommand):
    help = "Check the database, the cache, the workers and when each periodic job last ran — 运行状况"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--scope", choices=["all", "web"], default="all",
                            help="'web': only what a web process needs (database, cache)")

    def handle(self, *args, **options):
        report = run_checks(scope=options["scope"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            for check in report.checks:
                mark = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("FAIL")
                self.stdout.write(f"{mark} {check.name}: {check.detail}")
        if not report.ok:
            raise CommandError("unhealthy", returncode=1)
