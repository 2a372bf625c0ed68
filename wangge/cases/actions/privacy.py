"""Residents' personal data: the logged reveal."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wangge.org.models import User
from wangge.residents.errors import ResidentDataForbidden
from wangge.residents.services import reveal_resident

from .. import permissions
from ..errors import ActionForbidden, CaseNotFound
from ..models import (
    Case,
    ReporterAccessLog,
)


def reveal_reporter(*, case: Case, actor: User, channel: str = "web", ip_address: str | None = None) -> dict:
    """The reporter's unmasked name and phone, for a staff member allowed to see them; logged."""
    if not permissions.can_see(actor, case):
        raise CaseNotFound()
    allowed = permissions.can_see_reporter(actor)
    if case.reporter_id:
        # The person's own access log (PIPL): who saw this resident's data, for which case —
        # refused attempts included.
        try:
            reveal_resident(resident=case.reporter, actor=actor, purpose=f"case {case.number}", allowed=allowed,
                            ip_address=ip_address)
        except ResidentDataForbidden:
            pass
    if not allowed:
        raise ActionForbidden(_("You are not allowed to see residents' personal data."))
    ReporterAccessLog.objects.create(case=case, user=actor, channel=channel, ip_address=ip_address)
    return {"name": case.reporter_name, "phone": case.reporter_phone, "anonymous": case.reporter_anonymous}


def repoint_reporter(*, kept, merged) -> int:
    """Two residents turned out to be one person (``residents_merged``): their cases follow the
    one kept. Runs inside the residents' merge transaction; returns how many cases moved."""
    return Case.objects.filter(reporter=merged).update(reporter=kept)


def erase_reporter_snapshots(*, resident) -> int:
    """PIPL erasure (``resident_anonymised``): blank the name and phone each of the resident's
    cases kept as it was told at filing; the cases, their timelines and every figure stay."""
    return Case.objects.filter(reporter=resident).update(reporter_name="", reporter_phone="")


def open_cases_of(resident) -> str | None:
    """The retention check: a resident with a case still being handled may not be erased yet."""
    from ..choices import OPEN_STATUSES

    if Case.objects.filter(reporter=resident, status__in=OPEN_STATUSES).exists():
        return _("has cases still being handled")
    return None
