"""Bring the dashboard rollups up to date now (``--full`` rebuilds every day)."""

from django.core.management.base import BaseCommand

from wangge.dashboard.rollup import refresh_stats


class Command(BaseCommand):
    help = "Recompute the command dashboard's daily statistics — 指挥中心统计数据"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every day, not only the changed ones")

    def handle(self, *args, **options):
        result = refresh_stats(full=options["full"])
        self.stdout.write(f"{'rebuilt' if result.full else 'refreshed'} {result.days} days in {result.ms} ms")
