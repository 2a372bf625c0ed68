"""``manage.py verify_credit`` — recompute the credit ledger's hash chains and balances from the
stored rows and report every entry changed, removed or inserted behind the application's back.
Exit status 1 when anything is wrong (for a cron job or a monitoring check)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wangge.credit.verify import Checked, verify_ledger


class Command(BaseCommand):
    help = "Check the credit ledger's hash chains and balances; exit status 1 on any break."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--limit", type=int, default=50, help="Report at most this many breaks in full.")

    def handle(self, *args, chunk_size: int, limit: int, **options):
        started = time.monotonic()
        checked = Checked()
        breaks = 0
        for problem in verify_ledger(chunk_size=chunk_size, checked=checked):
            breaks += 1
            if breaks <= limit:
                self.stdout.write(str(problem))
        seconds = time.monotonic() - started
        summary = _("%(accounts)d accounts, %(entries)d entries checked in %(seconds).1f s") % {
            "accounts": checked.accounts, "entries": checked.entries, "seconds": seconds}
        if breaks:
            raise CommandError(_("%(summary)s: %(breaks)d problems found.") % {"summary": summary, "breaks": breaks})
        self.stdout.write(self.style.SUCCESS(_("%(summary)s: the ledger is intact.") % {"summary": summary}))
