"""Thin views: confirm / dismiss a possible duplicate (staff), add yourself to a case (residents).

The resident's 我也遇到了 is checked by the report page's own form (``portal.forms.ReportForm``):
it is the same report, sent with a different button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wangge.cases.choices import Channel
from wangge.cases.errors import CaseError, CaseNotFound
from wangge.cases.models import Case
from wangge.cases.models.case import looks_like_case_number
from wangge.core.http import client_ip
from wangge.core.ratelimit import Limit
from wangge.intake.qrcodes import selectors as qr_codes
from wangge.portal.forms import ReportForm
from wangge.portal.views import too_many

from . import actions, selectors

ATTEMPTS = "report_join_attempt"  # registered in apps.py


def _back(request, fallback: str | None = None):
    number = request.POST.get("back", "")
    if looks_like_case_number(number):
        return redirect("web:case_detail", number=number)
    if fallback:
        return redirect("web:case_detail", number=fallback)
    return redirect("web:home")


@login_required
@require_POST
def confirm(request, pk: int):
    try:
        survivor = actions.confirm_duplicate(candidate=pk, actor=request.user, note=request.POST.get("note", ""))
    except CaseNotFound:
        raise Http404 from None
    except CaseError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(request, _("Merged into %(number)s.") % {"number": survivor.number})
    return redirect("web:case_detail", number=survivor.number)


@login_required
@require_POST
def dismiss(request, pk: int):
    try:
        actions.dismiss_duplicate(candidate=pk, actor=request.user, note=request.POST.get("note", ""))
    except CaseNotFound:
        raise Http404 from None
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as not a duplicate."))
    return _back(request)


@never_cache
@require_POST
def join(request):
    """我也遇到了 — the resident report page's form, posted here from the offer of an open case
    about the same problem (``ref``, signed by ``selectors.nearby_reports``): the report is filed
    as the resident's own and counted on that case; the answer gives its number and link."""
    # As on the report page: only a report actually filed counts towards "report" (many phones
    # share one address); every post counts towards a far higher ceiling against floods.
    ip, attempts, filed = client_ip(request), Limit.named(ATTEMPTS), Limit.named("report")
    if not attempts.hit(ip):
        return too_many(request, attempts)
    if filed.exhausted(ip):
        return too_many(request, filed)
    ref = request.POST.get("ref", "")
    case_pk = selectors.read_report_ref(ref)
    case = Case.objects.filter(pk=case_pk).first() if case_pk else None
    if case is None:
        return _refused(request, _("This offer has expired. Please go back and send your report again."))
    # 码上办: the scanned code fixes the place, as on the report page.
    qr_token = request.POST.get("qr", "")
    qr = qr_codes.scan(qr_token) if qr_token else None
    if qr is not None and not qr.ok:
        return redirect(qr_codes.refusal_path(qr_token))
    form = ReportForm(request.POST, request.FILES, qr_code=qr and qr.code)
    if not form.is_valid():
        return _refused(request, *(str(e) for errors in form.errors.values() for e in errors))
    channel = Channel.QR_PAGE if qr is not None or request.POST.get("via") == "qr" else Channel.WEB
    try:
        joined = actions.join_case(case=case, report=form.case_kwargs(), channel=channel, offer=ref)
    except CaseError as error:
        return _refused(request, error.message)
    if joined.created:
        filed.hit(ip)
    report = joined.report
    return render(request, "intake_duplicates/joined.html", {
        "report": report,
        "link": request.build_absolute_uri(reverse("portal:case", kwargs={"token": report.tracking_token}))
        if report is not None else "",
        "told": report is not None and bool(actions.mobile_of(report)),
        "reporters": selectors.reporter_count(joined.into),
        "nearby": selectors.describe_for_resident(joined.into),
    })


def _refused(request, *errors: str):
    return render(request, "intake_duplicates/joined.html", {"errors": errors}, status=400)
