import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from wangge.cases.choices import OPEN_STATUSES
from wangge.cases.models import Case
from wangge.intake.duplicates.actions import record_candidates


class Command(BaseCommand):
    help = "Look again for possible duplicates of the open cases filed in the last days (查重补漏)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, days=2, **options):
        since = timezone.now() - dt.timedelta(days=days)
        found = 0
        for case in Case.objects.filter(submitted_at__gte=since, status__in=OPEN_STATUSES).iterator():
            found += len(record_candidates(case=case))
        self.stdout.write(f"{found} possible duplicates found.")
