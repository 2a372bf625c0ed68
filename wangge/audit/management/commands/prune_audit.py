"""``manage.py prune_audit [--dry-run]`` — delete the sign-in records older than
``WANGGE_AUDIT_RETENTION_DAYS`` (default 365; never fewer than 180). The timeline and the
data-access logs are kept: nothing else is deleted. Run it from the scheduler, e.g. monthly."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ...actions import MINIMUM_RETENTION_DAYS, prune_sign_ins, retention_days
from ...models import SignInRecord


class Command(BaseCommand):
    help = "Delete sign-in records older than WANGGE_AUDIT_RETENTION_DAYS (the timeline and access logs are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; delete nothing.")

    def handle(self, *args, dry_run: bool, **options):
        days = retention_days()
        if days < MINIMUM_RETENTION_DAYS:
            raise CommandError(_("WANGGE_AUDIT_RETENTION_DAYS must be at least %(days)d.") % {"days": MINIMUM_RETENTION_DAYS})
        if dry_run:
            cutoff = timezone.now() - dt.timedelta(days=days)
            n = SignInRecord.objects.filter(at__lt=cutoff).count()
        else:
            n = prune_sign_ins(days=days)
        message = (_("%(count)d sign-in records older than %(days)d days would be deleted.") if dry_run
                   else _("%(count)d sign-in records older than %(days)d days deleted."))
        self.stdout.write(message % {"count": n, "days": days})
