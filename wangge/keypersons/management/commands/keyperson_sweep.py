"""Run the key-person sweep once: overdue-visit notices and the retention erasure of retired
persons past ``WANGGE_KEYPERSON_RETENTION_DAYS`` (the worker runs it every hour on its own)."""

from django.core.management.base import BaseCommand

from wangge.keypersons.actions import anonymise_retired_key_persons, notify_overdue


class Command(BaseCommand):
    help = "Send overdue key-person visit notices and anonymise retired persons past the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--retention-only", action="store_true", help="only the retention erasure")
        parser.add_argument("--days", type=int, default=None, help="retention days (default: the setting)")

    def handle(self, *args, retention_only=False, days=None, **options):
        sent = 0 if retention_only else notify_overdue()
        erased = anonymise_retired_key_persons(days=days)
        self.stdout.write(f"notified={sent} anonymised={erased}")
