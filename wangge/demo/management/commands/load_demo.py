"""``manage.py load_demo`` — the demo sub-district with about 2,000 cases (演示数据)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import CaseStatus
from wangge.demo.loader import has_data, load_demo


class Command(BaseCommand):
    help = _("Load the demo sub-district: territory, grids, departments, staff, categories and cases.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help=_("Do nothing if the database already holds territory or cases."))
        parser.add_argument("--cases", type=int, default=2000, help=_("How many cases (default 2000)."))
        parser.add_argument("--seed", type=int, default=7, help=_("Random seed of the cases (default 7)."))
        parser.add_argument("--days", type=int, default=90, help=_("Spread the cases over this many days."))

    def handle(self, *args, if_empty: bool, cases: int, seed: int, days: int, verbosity: int, **options):
        if has_data():
            if if_empty:
                self.stdout.write(_("The database already holds data; the demo was not loaded."))
                return
            raise CommandError(_("The database already holds data. Start from an empty database "
                                 "(for SQLite: delete var/wangge.sqlite3 and run migrate), or use --if-empty."))
        if cases < 0 or days < 1:
            raise CommandError(_("--cases must be 0 or more and --days at least 1."))
        self.stdout.write(_("Loading the demo sub-district with %(n)d cases over %(days)d days…")
                          % {"n": cases, "days": days})
        def progress(at, filed: int) -> None:
            self.stdout.write("  " + _("…replaying %(date)s, %(n)d cases filed so far")
                              % {"date": formats.date_format(timezone.localtime(at), "SHORT_DATE_FORMAT"), "n": filed})

        report = load_demo(cases=cases, seed=seed, days=days, progress=progress if verbosity else None)
        world = report.world
        self.stdout.write(self.style.SUCCESS(
            _("Loaded %(grids)d grids in %(communities)d communities, %(departments)d departments, "
              "%(users)d staff accounts and %(cases)d cases (%(steps)d steps) in %(seconds).1f s.")
            % {"grids": len(world.grids), "communities": len(world.communities),
               "departments": len(world.departments), "users": len(world.users), "cases": report.cases,
               "steps": report.steps, "seconds": report.seconds}
        ))
        self.stdout.write("  " + ", ".join(
            f"{CaseStatus(status).label} {n}" for status, n in sorted(report.statuses.items(), key=lambda x: -x[1])
        ))
        if verbosity > 1:
            for name, n in sorted(report.outcomes.items()):
                self.stdout.write(f"  {name}: {n}")
        if report.failures:
            self.stdout.write(self.style.WARNING(
                _("%(n)d case stories stopped early (the case stays as it was):") % {"n": sum(report.failures.values())}
            ))
            for message, n in report.failures.most_common(10):
                self.stdout.write(f"  {n} × {message}")
        self.stdout.write(_("Demo logins: manage.py demo_logins"))
