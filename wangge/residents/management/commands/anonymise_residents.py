"""``manage.py anonymise_residents [--inactive-days N] [--dry-run]`` — PIPL retention (保存期限).

Erases the personal data of every resident not seen for ``N`` days (default: the setting
``WANGGE_RESIDENT_RETENTION_DAYS``, else 1095 = three years) who has no open business, through
``services.anonymise_resident`` (one transaction per resident: one refusal stops nothing else).
Run it from the scheduler, e.g. monthly. ``--dry-run`` counts and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.residents.errors import OpenBusiness, ResidentGone
from wangge.residents.models import Resident
from wangge.residents.retention import open_business
from wangge.residents.services import anonymise_resident

DEFAULT_RETENTION_DAYS = 1095
BATCH = 500


def retention_days() -> int:
    return int(getattr(settings, "WANGGE_RESIDENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


class Command(BaseCommand):
    help = "Anonymise residents who have not been seen for a long time and have no open business (PIPL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--inactive-days", type=int, default=None,
            help=f"Days without activity (default: WANGGE_RESIDENT_RETENTION_DAYS, else {DEFAULT_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")

    def handle(self, *args, inactive_days: int | None, dry_run: bool, **options):
        days = retention_days() if inactive_days is None else inactive_days
        if days < 1:
            raise CommandError(_("--inactive-days must be at least 1."))
        cutoff = timezone.now() - dt.timedelta(days=days)
        candidates = Resident.objects.filter(
            anonymised_at__isnull=True, merged_into__isnull=True, last_seen_at__lt=cutoff, created_at__lt=cutoff
        )
        reason = _("retention: not seen for %(days)d days") % {"days": days}
        anonymised = kept = 0
        last_pk = 0
        # Keyset batches: the rows anonymised drop out of the filter, so no offset would be stable.
        while True:
            batch = list(candidates.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
            if not batch:
                break
            last_pk = batch[-1].pk
            for resident in batch:
                if dry_run:
                    if open_business(resident):
                        kept += 1
                    else:
                        anonymised += 1
                    continue
                try:
                    anonymise_resident(resident=resident, actor=None, reason=reason)
                except OpenBusiness:
                    kept += 1
                except ResidentGone:
                    continue  # anonymised by someone else meanwhile
                else:
                    anonymised += 1

        if dry_run:
            line = ngettext(
                "Dry run: %(count)d resident not seen for %(days)d days would be anonymised.",
                "Dry run: %(count)d residents not seen for %(days)d days would be anonymised.",
                anonymised,
            )
        else:
            line = ngettext(
                "%(count)d resident not seen for %(days)d days anonymised.",
                "%(count)d residents not seen for %(days)d days anonymised.",
                anonymised,
            )
        self.stdout.write(line % {"count": anonymised, "days": days})
        self.stdout.write(
            ngettext(
                "%(count)d resident kept: still has open business.",
                "%(count)d residents kept: still have open business.",
                kept,
            ) % {"count": kept}
        )
