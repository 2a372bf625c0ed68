"""Resident pages (居民端): report a problem, track it, rate the answer. Thin views: the forms
check the input, ``cases.actions`` writes, ``presenters`` turns a case into plain words."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wangge.cases import actions, selectors
from wangge.cases.choices import CaseStatus, Channel, Satisfaction
from wangge.cases.downloads import attachment_response
from wangge.cases.errors import CaseError, IdempotencyKeyReused
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.intake.duplicates import selectors as duplicates
from wangge.intake.qrcodes import selectors as qr_codes
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.replies.receivers import office_hotline

from . import presenters
from .forms import LookupForm, RateForm, ReportForm, category_label
from .ratelimit import Limit, client_ip


def too_many(request: HttpRequest, limit: Limit) -> HttpResponse:
    response = render(request, "portal/too_many.html", {"minutes": max(1, limit.seconds // 60)}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response


def too_many_words(limit: Limit) -> str:
    """The refusal shown above a form kept as the resident typed it."""
    minutes = max(1, limit.seconds // 60)
    return ngettext(
        "Too many reports have been sent from your connection. What you typed is kept below: "
        "please send it again in %(minutes)d minute.",
        "Too many reports have been sent from your connection. What you typed is kept below: "
        "please send it again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def private(view):
    """A page reached with the resident's proof (the tracking link): never cached, never indexed,
    and the link is never sent to another site as a referrer. ("no-referrer" would be stricter
    but makes browsers send ``Origin: null`` with the rating form, which CSRF checking refuses.)"""

    @functools.wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def case_by_token(token: str) -> Case | None:
    """The case whose tracking link holds ``token`` (the resident's proof), or None."""
    return Case.objects.select_related("category", "grid", "community", "sla_policy").filter(
        tracking_token=token).first()


def with_token(view):
    """Resolve the ``token`` of the URL to its case. An unknown token gets a friendly 404 and
    counts against the client; too many of them get the 429 page. A valid link is always served:
    the token is 128 random bits, so the limit guards against floods, not guessing, and
    another visitor's bad links from the same address (a shared NAT, a misconfigured proxy) must
    never lock a resident out of their own case."""

    @functools.wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        case = case_by_token(token)
        if case is None:
            limit, ip = Limit.named("token"), client_ip(request)
            if not limit.hit(ip):
                return too_many(request, limit)
            return render(request, "portal/bad_link.html", status=404)
        return view(request, case, *args, **kwargs)

    return wrapped


# The source a report form's key is kept under (``ReportForm.submission``): its own, so that no
# other channel's external id can ever name a resident's report.
PORTAL_SOURCE = "portal"


def sent_before(form: ReportForm, *, channel: str) -> Case | None:
    """The case already filed from this form with the same report (a double tap, a refresh that
    posts again), or None. The core compares the whole report, photos included."""
    key = form.cleaned_data.get("submission")
    if not key or not Case.objects.filter(source=PORTAL_SOURCE, external_id=key).exists():
        return None
    try:
        return actions.create_case(actor=Actor.of_resident(), channel=channel, source=PORTAL_SOURCE,
                                   idempotency_key=key, **form.case_kwargs())
    except IdempotencyKeyReused:
        return None  # the resident went back and changed it: a new report


def file_report(form: ReportForm, *, channel: str) -> Case:
    """File the resident's report once per form: under the form's key when it has one. The same
    key with another report (the resident went back, changed it and sent it again) is a new
    report, filed without the key."""
    key = form.cleaned_data.get("submission")
    if key:
        try:
            return actions.create_case(actor=Actor.of_resident(), channel=channel, source=PORTAL_SOURCE,
                                       idempotency_key=key, **form.case_kwargs())
        except IdempotencyKeyReused:
            pass
    return actions.create_case(actor=Actor.of_resident(), channel=channel, **form.case_kwargs())


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """反映问题 — the report form; works as a plain form post without JavaScript."""
    via_qr = "qr" in (request.GET.get("via"), request.POST.get("via"))
    # 码上办: a scanned code fixes (and locks) the place; a forged or retired one is explained there.
    qr_token = request.POST.get("qr") or request.GET.get("qr") or ""
    qr = qr_codes.scan(qr_token) if qr_token else None
    if qr is not None and not qr.ok:
        return redirect(qr_codes.refusal_path(qr_token))
    via_qr = via_qr or qr is not None
    channel = Channel.QR_PAGE if via_qr else Channel.WEB
    nearby = []  # "already reported nearby — add yourself" (intake.duplicates)
    refused = None  # the limit reached, if any
    if request.method == "POST":
        # Many phones share one public address (carrier-grade NAT, a compound's Wi-Fi): only
        # reports actually filed count towards "report", so neighbours' typos never lock anyone
        # out. "report_attempt", far higher, still bounds a flood of junk posts. Either way the
        # form comes back with what the resident typed.
        ip, filed, attempts = client_ip(request), Limit.named("report"), Limit.named("report_attempt")
        form = ReportForm(request.POST, request.FILES, qr_code=qr and qr.code)
        if not attempts.hit(ip):
            refused = attempts
        elif form.is_valid() and (earlier := sent_before(form, channel=channel)) is not None:
            # The same report again under its form's key (a double tap): its receipt, nothing new
            # filed — not an offer to join it as "already reported nearby".
            return redirect("portal:reported", token=earlier.tracking_token)
        elif form.is_valid() and not (nearby := duplicates.nearby_reports(**form.case_kwargs(),
                                                                         skip="file_anyway" in request.POST)):
            if filed.exhausted(ip):
                refused = filed
            else:
                try:
                    case = file_report(form, channel=channel)
                except CaseError as exc:
                    form.add_case_error(exc)
                else:
                    if not case.replayed:
                        filed.hit(ip)
                    return redirect("portal:reported", token=case.tracking_token)
        if refused is not None:
            form.add_error(None, too_many_words(refused))
    else:
        form = ReportForm(qr_code=qr and qr.code)
    photos_lost = request.method == "POST" and bool(request.FILES.getlist("photos")) and "photos" not in form.errors
    response = render(request, "portal/report.html", {
        "form": form,
        "via_qr": via_qr,
        "qr_token": qr_token if qr else "",
        "photos_lost": photos_lost,
        "nearby": nearby,
        "max_photos": settings.WANGGE_ATTACHMENT_MAX_COUNT,
        "max_photo_bytes": settings.WANGGE_ATTACHMENT_MAX_BYTES,
        "tile_url": settings.WANGGE_TILE_URL,
    }, status=429 if refused else 200)
    if refused is not None:
        response["Retry-After"] = str(refused.seconds)
    return response


@require_GET
@private
@with_token
def reported(request: HttpRequest, case: Case) -> HttpResponse:
    """The page after a successful report: tracking number, tracking link, what happens next."""
    return render(request, "portal/reported.html", {
        "case": case,
        "link": request.build_absolute_uri(reverse("portal:case", kwargs={"token": case.tracking_token})),
        "due": presenters.when(case.resolve_due_at),
        "within": presenters.duration(*case.sla_policy.target("resolve")),
    })


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """查询进度 — by tracking number and the last 4 digits of the phone. A wrong number and wrong
    digits get the same answer, so the page does not tell which numbers exist.

    Wrong digits are counted per (number, client address): they lock that number for that client
    only. A much larger ceiling per number across all addresses bounds guessing from many
    addresses (see ``core.ratelimit.DEFAULT_LIMITS``); reaching it pauses lookups by number, not
    the resident's tracking link."""
    form = LookupForm(request.POST or None)
    if request.method == "POST":
        ip = client_ip(request)
        limit = Limit.named("lookup")
        if not limit.hit(ip):
            return too_many(request, limit)
        if form.is_valid():
            number, digits = form.cleaned_data["number"], form.cleaned_data["phone_last4"]
            per_client, per_number = Limit.named("lookup_number_client"), Limit.named("lookup_number")
            client_key = f"{number}|{ip}"
            if per_client.exhausted(client_key):
                return too_many(request, per_client)
            if per_number.exhausted(number):
                form.add_error(None, _(
                    "Looking up this tracking number is paused after too many wrong attempts. "
                    "Please open the tracking link in the text message we sent you, or try again later."
                ))
                response = render(request, "portal/track.html", {"form": form}, status=429)
                response["Retry-After"] = str(per_number.seconds)
                return response
            case = selectors.cases_for_resident(number, digits)
            if case is not None:
                return redirect("portal:case", token=case.tracking_token)
            per_client.hit(client_key)
            per_number.hit(number)
            form.add_error(None, _(
                "We could not find a report with that tracking number and those phone digits. "
                "Please check both and try again."
            ))
    return render(request, "portal/track.html", {"form": form})


def _case_page(request: HttpRequest, case: Case, rate_form: RateForm | None = None, status: int = 200):
    # A merged report follows the case it is handled in: its progress, deadline and answer, never
    # its reporter's words or data. Rating stays with each case's own reporter (the core rates a
    # case for the holder of its link only), so a merged resident reads the answer but does not rate it.
    survivor = presenters.surviving_case(case)
    shown = survivor or case
    rateable = presenters.can_rate(case)
    words, tone = presenters.status_text(shown, rateable=rateable)
    return render(request, "portal/case.html", {
        "case": case,
        "merged": survivor is not None,
        "status_words": words,
        "status_tone": tone,
        "category": category_label(case.category) if case.category else "",
        "place": " · ".join(r.name for r in (case.community, case.grid) if r is not None),
        "submitted": presenters.when(case.submitted_at),
        "due": presenters.when(shown.resolve_due_at) if presenters.clock_running(shown) else "",
        "paused": shown.status == CaseStatus.SUSPENDED,
        "resolved": presenters.when(shown.resolved_at),
        "answer": shown.result if shown.resolved_at else "",
        "steps": presenters.merged_timeline(case, survivor) if survivor else presenters.public_timeline(case),
        "own_photos": presenters.reporter_photos(case),
        "answer_photos": presenters.answer_photos(shown) if shown.resolved_at else [],
        "rateable": rateable,
        "rate_form": rate_form or (RateForm() if rateable else None),
        "rating": presenters.satisfaction_text(case.satisfaction) if case.rated_at else "",
        # 不予受理: the reason, at the top where the resident the notice sent here looks first, and
        # where to turn.
        "rejected_reason": presenters.rejection_reason(case),
        "hotline": office_hotline(),
    }, status=status)


@require_GET
@private
@with_token
def case_page(request: HttpRequest, case: Case) -> HttpResponse:
    """The resident's view of their case: status, deadline, timeline, answer, rating."""
    return _case_page(request, case)


@require_http_methods(["GET", "POST"])
@private
@with_token
def rate(request: HttpRequest, case: Case) -> HttpResponse:
    """评价 — 满意 / 基本满意 / 不满意; 不满意 reopens the case (the core does it). A link to this
    address (the WeChat "handled" notice sent one) opens the case page at its rating card: only a
    post rates."""
    if request.method == "GET":
        return redirect(reverse("portal:case", kwargs={"token": case.tracking_token}) + "#rate")
    form = RateForm(request.POST)
    if not presenters.can_rate(case):
        messages.info(request, _("This answer has already been rated, or it cannot be rated yet."))
        return redirect("portal:case", token=case.tracking_token)
    if not form.is_valid():
        return _case_page(request, case, rate_form=form, status=400)
    try:
        actions.rate_case_as_resident(
            case=case, satisfaction=form.cleaned_data["satisfaction"], comment=form.cleaned_data["comment"]
        )
    except CaseError:
        messages.info(request, _("This answer has already been rated, or it cannot be rated yet."))
    else:
        if form.cleaned_data["satisfaction"] == Satisfaction.UNSATISFIED:
            messages.success(request, _(
                "Thank you. We are sorry the answer did not help: your report has been sent back "
                "to be handled again. You can follow it on this page."
            ))
        else:
            messages.success(request, _("Thank you for your rating."))
    return redirect("portal:case", token=case.tracking_token)


@require_GET
@private
@with_token
def photo(request: HttpRequest, case: Case, pk: int) -> HttpResponse:
    """A photo of the case, served only to someone holding its tracking link."""
    attachment = presenters.public_photo(case, pk)
    if attachment is None:
        return render(request, "portal/bad_link.html", status=404)
    try:
        return attachment_response(attachment)
    except Http404:
        return render(request, "portal/bad_link.html", status=404)


@require_GET
def grids(request: HttpRequest) -> JsonResponse:
    """The active grids as GeoJSON, for the map on the report page."""
    steplen = Region.steplen
    communities = dict(
        Region.objects.filter(level=RegionLevel.COMMUNITY).values_list("path", "name")
    )
    features = [
        {
            "type": "Feature",
            "id": pk,
            "properties": {"name": name, "community": communities.get(path[:-steplen], "")},
            "geometry": boundary,
        }
        for pk, path, name, boundary in Region.objects.filter(
            level=RegionLevel.GRID, is_active=True, boundary__isnull=False
        ).order_by("path").values_list("pk", "path", "name", "boundary")
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def places(request: HttpRequest) -> JsonResponse:
    """地址查找 — compounds, buildings and addresses matching ``q`` (拼音 initials too), each with
    the grid it sets: residents say where by what they know, not by the grid's name."""
    from wangge.org import address

    response = JsonResponse({"results": [p.as_json() for p in address.search(request.GET.get("q", ""), limit=8)]})
    response["Cache-Control"] = "public, max-age=60"
    return response
