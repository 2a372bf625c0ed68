"""``manage.py load_demo`` — the demo sub-district with a year of cases (演示数据)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import CaseStatus, Light
from wangge.demo.loader import has_data, load_demo


class Command(BaseCommand):
    help = _("Load the demo sub-district: territory, grids, departments, staff, categories and cases.")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help=_("Do nothing if the database already holds territory or cases."))
        parser.add_argument("--cases", type=int, default=800,
                            help=_("How many cases to replay over the last days (default 800)."))
        parser.add_argument("--seed", type=int, default=7, help=_("Random seed of the cases (default 7)."))
        parser.add_argument("--days", type=int, default=60,
                            help=_("Replay the cases of this many last days through the real actions (default 60)."))
        parser.add_argument("--months", type=int, default=12,
                            help=_("Months of finished cases before them (default 12: back to this month a year ago)."))

    def handle(self, *args, if_empty: bool, cases: int, seed: int, days: int, months: int, verbosity: int, **options):
        if has_data():
            if if_empty:
                self.stdout.write(_("The database already holds data; the demo was not loaded."))
                return
            raise CommandError(_("The database already holds data. Start from an empty database "
                                 "(for SQLite: delete var/wangge.sqlite3 and run migrate), or use --if-empty."))
        if cases < 0 or days < 1 or months < 0:
            raise CommandError(_("--cases and --months must be 0 or more and --days at least 1."))
        self.stdout.write(_("Loading the demo sub-district: %(n)d cases replayed over the last %(days)d days, "
                            "%(months)d months of history before them…") % {"n": cases, "days": days, "months": months})

        def progress(stage, at, n: int) -> None:
            if stage == "replay":
                line = _("…replaying %(date)s, %(n)d cases filed so far") % {
                    "date": formats.date_format(timezone.localtime(at), "SHORT_DATE_FORMAT"), "n": n}
            else:
                line = _("…history of %(month)s: %(n)d finished cases") % {
                    "month": formats.date_format(at, "YEAR_MONTH_FORMAT"), "n": n}
            self.stdout.write("  " + line)

        report = load_demo(cases=cases, seed=seed, days=days, months=months, progress=progress if verbosity else None)
        world = report.world
        self.stdout.write(self.style.SUCCESS(
            _("Loaded %(grids)d grids in %(communities)d communities, %(departments)d departments, "
              "%(users)d staff accounts and %(cases)d cases in %(seconds).1f s.")
            % {"grids": len(world.grids), "communities": len(world.communities),
               "departments": len(world.departments), "users": len(world.users), "cases": report.cases,
               "seconds": report.seconds}
        ))
        if report.first_day is not None and report.history:
            self.stdout.write("  " + _("%(replayed)d cases replayed through the actions (%(steps)d steps), "
                                       "%(history)d finished cases since %(first)s.") % {
                "replayed": report.replayed, "steps": report.steps, "history": report.history,
                "first": formats.date_format(report.first_day, "SHORT_DATE_FORMAT")})
        self.stdout.write("  " + ", ".join(
            f"{CaseStatus(status).label} {n}" for status, n in sorted(report.statuses.items(), key=lambda x: -x[1])
        ))
        lights = [f"{Light(light).label} {report.lights[light]}" for light in (Light.RED, Light.AMBER, Light.GREEN)
                  if report.lights[light]]
        if lights:
            self.stdout.write("  " + _("Open cases by deadline light: %(lights)s.") % {"lights": ", ".join(lights)})
        if report.on_time is not None:
            self.stdout.write("  " + _("Resolved on time: %(rate).1f%%.") % {"rate": 100 * report.on_time})
        if verbosity > 1:
            for name, n in sorted(report.outcomes.items()):
                self.stdout.write(f"  {name}: {n}")
            for name, seconds in report.timings.items():
                self.stdout.write(f"  {name}: {seconds:.1f} s")
            # A story whose next step the actions refused ends there; the case keeps the state the
            # real actions left it in. None is expected (the demo's tests hold the scripts to it).
            for message, n in report.failures.most_common(10):
                self.stdout.write(f"  story ended at a refused step: {n} × {message}")
        self.stdout.write(_("Demo logins: manage.py demo_logins"))
