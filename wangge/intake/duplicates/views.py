"""Thin views: confirm / dismiss a possible duplicate (staff), add yourself to a case (residents)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wangge.cases.errors import CaseError, CaseNotFound
from wangge.cases.models import Case
from wangge.cases.models.case import looks_like_case_number
from wangge.core.http import client_ip
from wangge.core.ratelimit import Limit

from . import actions, selectors


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
    """我也遇到了 — from the resident report page: add the resident to the open case offered
    (``ref``, signed by ``selectors.nearby_reports``) instead of filing another."""
    limit = Limit.named("report")
    if not limit.hit(client_ip(request)):
        response = render(request, "portal/too_many.html", {"minutes": max(1, limit.seconds // 60)}, status=429)
        response["Retry-After"] = str(limit.seconds)
        return response
    case_pk = selectors.read_report_ref(request.POST.get("ref", ""))
    case = Case.objects.filter(pk=case_pk).first() if case_pk else None
    if case is None:
        return render(request, "intake_duplicates/joined.html",
                      {"error": _("This offer has expired. Please go back and send your report again.")}, status=400)
    phone = request.POST.get("reporter_phone", "")
    name = "" if request.POST.get("anonymous") else request.POST.get("reporter_name", "")[:50]
    try:
        link, created = actions.join_case(case=case, phone=phone, name=name)
    except CaseError as error:
        return render(request, "intake_duplicates/joined.html", {"error": error.message}, status=400)
    survivor = link.case if link.case_id else case
    return render(request, "intake_duplicates/joined.html", {
        "created": created,
        "told": bool(link.resident_id and actions._mobile(getattr(link.resident, "phone", ""))),
        "reporters": selectors.reporter_count(survivor),
        "nearby": selectors.describe_for_resident(survivor),
    })
