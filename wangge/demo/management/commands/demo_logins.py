"""``manage.py demo_logins`` — the demo accounts per role, for the person trying Wangge."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from wangge.demo.data import DEMO_PASSWORD
from wangge.demo.logins import login_rows, render_table


class Command(BaseCommand):
    help = _("Print the demo logins per role (username, password, role, jurisdiction).")

    def handle(self, *args, **options):
        rows = login_rows()
        if not rows:
            self.stdout.write(_("No accounts yet. Load the demo first: manage.py load_demo"))
            return
        self.stdout.write(_("Demo logins — every demo account has the password %(password)s")
                          % {"password": DEMO_PASSWORD})
        self.stdout.write("")
        self.stdout.write(render_table(rows))
