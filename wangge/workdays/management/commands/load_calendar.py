"""Load a year of the working-day calendar from a text/CSV file — 导入节假日安排.

    manage.py load_calendar 2027.txt --source "国办发明电〔2026〕号"

Each line: ``2027-01-01,holiday,元旦`` or ``2027-02-07,workday,春节调休`` (date ranges such as
``2027-02-06~2027-02-12`` are allowed). The year is taken from the dates unless ``--year`` is given.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wangge.workdays.services import CalendarInputError, load_calendar_year, parse_calendar_text


class Command(BaseCommand):
    help = "Load one year of holidays and make-up working days (节假日安排) from a text file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="text/CSV file, one day or range per line; '-' reads stdin")
        parser.add_argument("--year", type=int, help="the year (default: the year of the dates)")
        parser.add_argument("--source", default="", help="the notice it comes from (title / number)")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        try:
            days = parse_calendar_text(text)
            years = sorted({d.date.year for d in days})
            year = options["year"] or years[0]
            if options["year"] is None and len(years) > 1:
                raise CalendarInputError([_("The file covers several years (%(years)s); give --year.")
                                          % {"years": ", ".join(map(str, years))}])
            load_calendar_year(year=year, days=days, source=options["source"], actor=None)
        except CalendarInputError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        holidays = sum(not d.is_workday for d in days)
        self.stdout.write(self.style.SUCCESS(
            _("Loaded %(year)d: %(holidays)d holidays, %(workdays)d make-up working days.")
            % {"year": year, "holidays": holidays, "workdays": len(days) - holidays}
        ))
