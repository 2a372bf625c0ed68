"""``manage.py verify_audit [--case NUMBER]`` — recompute the timeline's hash chains.

Prints every break (case number, event id, what is wrong) and exits 1 if there is any; exits 0
and prints how much was checked otherwise. Run it from the scheduler (e.g. nightly) and alert on
a non-zero exit.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.cases.models import Case

from ...chain import Checked, verify_timeline


class Command(BaseCommand):
    help = "Recompute every case's timeline hash chain; exit 1 on any break."

    def add_arguments(self, parser):
        parser.add_argument("--case", dest="number", default=None, help="Check only the case with this number.")

    def handle(self, *args, number: str | None, **options):
        case = None
        if number:
            case = Case.objects.filter(number=number).first()
            if case is None:
                raise CommandError(_("No case has the number %(number)s.") % {"number": number})
        checked = Checked()
        breaks = 0
        for found in verify_timeline(case=case, checked=checked):
            breaks += 1
            self.stdout.write(self.style.ERROR(str(found)))
        summary = ngettext(
            "Checked %(events)d events in %(cases)d case.", "Checked %(events)d events in %(cases)d cases.",
            checked.cases,
        ) % {"events": checked.events, "cases": checked.cases}
        if breaks:
            raise CommandError(
                summary + " " + ngettext("%(count)d break in the record.", "%(count)d breaks in the record.",
                                         breaks) % {"count": breaks},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(summary + " " + _("The record is whole.")))
