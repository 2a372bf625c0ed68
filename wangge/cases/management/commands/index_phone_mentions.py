"""Record the phone numbers typed into the cases and timelines written before the index of
mentions existed (号码提及, ``cases.mentions``) — so that an erasure finds them too.

    manage.py index_phone_mentions

Migration ``cases 0025`` does this itself on a database of up to ``MIGRATION_LIMIT`` cases; a
larger one runs this command once after upgrading (safe to run again, and while the office works:
new texts are indexed as they are written)."""

from django.core.management.base import BaseCommand

from wangge.cases.mentions import index_existing
from wangge.cases.models import Case, CaseEvent, PhoneMention


class Command(BaseCommand):
    help = "Index the phone numbers typed into existing cases and timelines (for erasure)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="rows read at a time")

    def handle(self, *args, **options):
        def progress(table, last):
            if options["verbosity"] > 1:
                self.stdout.write(f"{table}: up to id {last}")

        offered = index_existing(cases=Case, events=CaseEvent, mentions=PhoneMention, batch=options["batch"],
                                 progress=progress)
        self.stdout.write(f"{offered} mentions offered; {PhoneMention.objects.count()} in the index.")
