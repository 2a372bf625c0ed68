"""The scan URL residents reach from a printed code, and the staff pages that print the codes.
Thin: ``selectors`` read, ``actions`` write, ``sheets`` draw."""

from __future__ import annotations

import urllib.parse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.core.errors import DomainError
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import actions, selectors, sheets
from .choices import SheetFormat
from .forms import SheetForm


@require_GET
@never_cache
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """扫码 — a valid code opens the report page at its place; a forged, altered or retired one
    gets a page that says so (never a 500), with the way to report without it."""
    result = selectors.scan(token)
    if result.ok:
        return redirect(reverse("portal:report") + "?" + urllib.parse.urlencode({"qr": token}))
    status = 410 if result.problem == "retired" else 404
    response = render(request, "intake_qrcodes/refused.html", {"problem": result.problem}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _community_or_404(user, pk: int) -> Region:
    community = Region.objects.filter(pk=pk, level=RegionLevel.COMMUNITY).first()
    if community is None or community not in selectors.communities_for(user):
        raise Http404
    return community


def _sheet_options(request: HttpRequest) -> SheetForm:
    form = SheetForm(request.GET)
    form.is_valid()
    return form


def _bad_options(form: SheetForm) -> HttpResponse:
    return HttpResponseBadRequest(" ".join(str(e) for errors in form.errors.values() for e in errors),
                                  content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def codes(request: HttpRequest) -> HttpResponse:
    """码上办二维码 — a community's codes: print one, print all, make the missing ones, retire."""
    communities = selectors.communities_for(request.user)
    if not communities:
        raise Http404
    chosen = request.GET.get("community", "")
    community = next((c for c in communities if str(c.pk) == chosen), communities[0])
    rows = selectors.community_codes(request.user, community, active_only=False)
    return render(request, "intake_qrcodes/codes.html", {
        "communities": communities,
        "community": community,
        "codes": rows,
        "active_count": sum(1 for c in rows if c.is_active and c.region.is_active),
    })


@login_required
@require_GET
def sheet(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One code's sheet, as PDF or SVG (``?size=A4|A5``)."""
    code = selectors.codes_visible_to(request.user).filter(pk=pk).first()
    if code is None or fmt not in SheetFormat.values:
        raise Http404
    if not (code.is_active and code.region.is_active):
        messages.error(request, _("QR code %(ref)s is no longer in use: its sheet is not printed any more.")
                       % {"ref": code.reference})
        return redirect(reverse("intake_qrcodes:codes") + f"?community={code.community_id}")
    form = _sheet_options(request)
    if form.errors:
        return _bad_options(form)
    size = form.cleaned_data["size"]
    name = f"{code.reference}-{sheets.file_safe(code.place_name)}-{size}"
    if fmt == SheetFormat.SVG:
        return _download(sheets.sheet_svg(code, size=size).encode(), "image/svg+xml", f"{name}.svg")
    return _download(sheets.sheets_pdf([code], size=size, title=code.place_name), "application/pdf", f"{name}.pdf")


@login_required
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """批量打印 — every active code of a community: one PDF (a page each) or a zip of SVGs."""
    community = _community_or_404(request.user, pk)
    form = _sheet_options(request)
    if form.errors:
        return _bad_options(form)
    size, fmt = form.cleaned_data["size"], form.cleaned_data["format"]
    rows = selectors.community_codes(request.user, community)
    if not rows:
        messages.error(request, _("%(community)s has no active QR codes to print yet.") % {"community": community.name})
        return redirect(reverse("intake_qrcodes:codes") + f"?community={community.pk}")
    name = f"{sheets.file_safe(community.name)}-{size}"
    if fmt == SheetFormat.SVG:
        return _download(sheets.sheets_svg_zip(rows, size=size), "application/zip", f"{name}.zip", inline=False)
    title = _("QR code sheets of %(community)s") % {"community": community.name}
    return _download(sheets.sheets_pdf(rows, size=size, title=title), "application/pdf", f"{name}.pdf")


@login_required
@require_POST
def make_missing(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community_or_404(request.user, pk)
    try:
        made = actions.create_codes_for_community(actor=request.user, community=community)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d new QR codes made.") % {"n": len(made)} if made
                         else _("Every grid and building already has a QR code."))
    return redirect(reverse("intake_qrcodes:codes") + f"?community={community.pk}")


@login_required
@require_http_methods(["POST"])
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    code = selectors.codes_visible_to(request.user).filter(pk=pk).first()
    if code is None:
        raise Http404
    try:
        actions.retire_qr_code(actor=request.user, code=code)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("QR code %(ref)s retired: scanning it now says it is no longer in use.")
                         % {"ref": code.reference})
    return redirect(reverse("intake_qrcodes:codes") + f"?community={code.community_id}")


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{urllib.parse.quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    # A sheet is a document to print, never a page that runs anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response

