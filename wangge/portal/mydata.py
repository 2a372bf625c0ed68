"""我的个人信息 — a resident sees what the office holds about them and asks for a correction or a
deletion (个人信息保护法 第44–47条).

1. ``start``: the resident types their phone number (posted, never in a URL). A number with
   records gets a 6-digit code by SMS (``residents.personal_data``, through the outbox); a number
   without gets the same answer and the same next page, so the page does not tell who has records.
   Records are a resident's, or anonymous reports made from the number: such a report keeps the
   number for the call back but links to no resident, and its maker has the same rights to it.
2. ``verify``: the code. Right: the session is marked for ``SESSION_MINUTES`` (a new session key,
   nothing in the URL). Wrong, expired, used up: a plain message, nothing else changes.
3. ``me``: their data — name, phone, household, reports, WeChat binding, credit, needs and
   services, their entries on the community visit register (重点人员, in the categories shown to
   the person: counts and dates of visits, not what a visit noted; one neutral line for entries
   kept under the law, naming no category), and which staff roles saw their data when
   (信息查看记录). Each view is logged.
   A number without a resident sees its anonymous reports and the staff views of their number;
   signing in makes no resident (nothing is kept about a visit the office has no one to log it on).
4. ``request_change``: 更正 / 删除, answered by staff in the admin; the answer comes by SMS. A
   bare number's request is recorded under a resident made then, holding the number alone (the
   page says so beside the form): a request needs someone to answer, and from then on a deletion
   erases the number from the reports as any resident's.

Sending codes is limited per number and per client address; checking them per client address,
and each code takes five wrong tries.
"""

from __future__ import annotations

import functools
import time
from dataclasses import asdict, dataclass

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from wangge.cases.models import Case, ReporterAccessLog
from wangge.core.errors import DomainError
from wangge.core.http import client_ip as address_of
from wangge.credit.models import household_address
from wangge.notifications.gateways import demo_codes_file
from wangge.residents import personal_data, selectors
from wangge.residents.choices import DATA_REQUEST_STATUS_TONES, DataRequestKind, DataRequestStatus
from wangge.residents.forms import PhoneField
from wangge.residents.masking import mask_phone
from wangge.residents.models import Resident

from . import presenters
from .ratelimit import Limit, client_ip
from .views import private

SESSION_MINUTES = 15  # how long a verified session shows the data
CHALLENGE = "mydata_challenge"  # the code being waited for: {"code": id | None, "masked", "until", "tries"}
VERIFIED = "mydata_resident"  # {"id": resident id, "until": epoch seconds}; a bare number: {"code": code id, …}
LIST_LIMIT = 100  # rows of each list on the page (reports, views …)
KEYPERSON_VIEW = "keypersons"  # the purpose shown of a staff view of their entry on the visit register


class PhoneForm(forms.Form):
    phone = PhoneField(error_messages={
        "required": gettext_lazy("Please enter your mobile phone number."),
        "invalid": gettext_lazy("That does not look like a phone number. Example: 13812345678.")})


class CodeForm(forms.Form):
    code = forms.RegexField(regex=r"^\s*[0-9０-９]{6}\s*$", error_messages={
        "required": gettext_lazy("Please enter the 6-digit code from the text message."),
        "invalid": gettext_lazy("The code has 6 digits.")})


class RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=DataRequestKind.choices)
    details = forms.CharField(max_length=personal_data.DETAILS_MAX, error_messages={
        "required": gettext_lazy("Please tell us what you are asking for."),
        "max_length": gettext_lazy("Please keep it shorter (at most %(limit_value)d characters).")})


def _now() -> float:
    return time.time()


@dataclass
class Visitor:
    """Who this session proved to be: a resident, or (``resident`` None) the holder of a number that
    only anonymous reports were made from."""

    resident: Resident | None
    phone: str


def verified_visitor(request: HttpRequest) -> Visitor | None:
    """Who this session proved to be, while the mark lasts; else None (mark removed)."""
    mark = request.session.get(VERIFIED)
    if not mark or mark.get("until", 0) <= _now():
        request.session.pop(VERIFIED, None)
        return None
    visitor = None
    if mark.get("id") is not None:
        resident = Resident.objects.select_related("household", "household__unit").filter(
            pk=mark["id"], anonymised_at__isnull=True, merged_into__isnull=True).first()
        visitor = Visitor(resident=resident, phone=resident.phone) if resident is not None else None
    elif mark.get("code") is not None:
        # A bare number, read from its used code (never kept in the session): gone once erased.
        phone = personal_data.proven_number(code_id=mark["code"])
        if phone and personal_data.resident_by_phone(phone) is None:
            visitor = Visitor(resident=None, phone=phone)
    if visitor is None:
        request.session.pop(VERIFIED, None)
    return visitor


def needs_verified(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        visitor = verified_visitor(request)
        if visitor is None:
            messages.info(request, _("For your safety the page closed. Please confirm your phone number again."))
            return redirect("portal:mydata")
        return view(request, visitor, *args, **kwargs)

    return wrapped


def _anonymous_reports(phone: str):
    """The reports made anonymously from ``phone``: they keep it for the call back, not a resident."""
    return Case.objects.filter(reporter__isnull=True, reporter_phone=phone)


def _too_many(request: HttpRequest, template: str, context: dict, form, limit: Limit) -> HttpResponse:
    minutes = max(1, limit.seconds // 60)
    form.add_error(None, ngettext(
        "Too many attempts. To keep everyone's information safe, please try again in %(minutes)d minute.",
        "Too many attempts. To keep everyone's information safe, please try again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes})
    response = render(request, template, {**context, "form": form}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response


@require_http_methods(["GET", "POST"])
@private
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number (always posted, never in a URL)."""
    if request.method == "GET" and verified_visitor(request) is not None:
        return redirect("portal:mydata_me")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        per_ip, per_phone = Limit.named("mydata_code_ip"), Limit.named("mydata_code_phone")
        if per_ip.exhausted(client_ip(request)):
            return _too_many(request, "portal/mydata_start.html", {}, form, per_ip)
        if per_phone.exhausted(phone):
            return _too_many(request, "portal/mydata_start.html", {}, form, per_phone)
        per_ip.hit(client_ip(request))
        per_phone.hit(phone)
        sent = personal_data.send_verification_code(phone=phone,
                                                    anonymous_reports=_anonymous_reports(phone).exists())
        request.session[CHALLENGE] = {
            "code": sent.pk if sent else None,
            "masked": mask_phone(phone),
            "until": _now() + personal_data.CODE_MINUTES * 60,
            "tries": 0,
        }
        return redirect("portal:mydata_verify")
    return render(request, "portal/mydata_start.html", {"form": form})


def _check(challenge: dict, code: str) -> personal_data.Proof:
    """Who the challenge's code opens, or ``CodeRefused``. A number without records has
    no code: its challenge fails as a real one would (wrong, then used up; expired in time)."""
    if challenge.get("code") is not None:
        return personal_data.check_verification_code(code_id=challenge["code"], code=code)
    if challenge.get("until", 0) <= _now():
        raise personal_data.CodeRefused("expired")
    if challenge.get("tries", 0) >= personal_data.CODE_ATTEMPTS:
        raise personal_data.CodeRefused("used_up")
    challenge["tries"] = challenge.get("tries", 0) + 1
    left = personal_data.CODE_ATTEMPTS - challenge["tries"]
    raise personal_data.CodeRefused("wrong", attempts_left=left) if left else personal_data.CodeRefused("used_up")


@require_http_methods(["GET", "POST"])
@private
def verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the text message."""
    challenge = request.session.get(CHALLENGE)
    if not challenge:
        return redirect("portal:mydata")
    context = {"masked": challenge.get("masked", ""), "minutes": personal_data.CODE_MINUTES,
               "demo_codes": demo_codes_file("sms")}  # the demo only: where its codes are, as no phone gets them
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        limit = Limit.named("mydata_verify_ip")
        if not limit.hit(client_ip(request)):
            return _too_many(request, "portal/mydata_verify.html", context, form, limit)
        if form.is_valid():
            try:
                proof = _check(challenge, form.cleaned_data["code"])
            except personal_data.CodeRefused as refusal:
                request.session[CHALLENGE] = challenge  # a number without records counts its tries here
                form.add_error("code", refusal.message)
                context["expired"] = refusal.reason != "wrong"
            else:
                request.session.cycle_key()  # a new session key for the proven session
                request.session.pop(CHALLENGE, None)
                who = {"id": proof.resident.pk} if proof.resident is not None else {"code": proof.code_id}
                request.session[VERIFIED] = {**who, "until": _now() + SESSION_MINUTES * 60}
                return redirect("portal:mydata_me")
    return render(request, "portal/mydata_verify.html", {**context, "form": form})


def _purpose_text(purpose: str) -> str:
    if purpose.startswith("case "):
        return pgettext("resident", "Handling your report %(number)s") % {"number": purpose[len("case "):]}
    if purpose.startswith("neighbourhood:need:"):
        return pgettext("resident", "Following up a need you raised")
    if purpose == KEYPERSON_VIEW:
        return pgettext("resident", "Community visits")
    return pgettext("resident", "Work of the office")


def _cases(phone: str, resident: Resident | None = None) -> list[dict]:
    """Their reports: filed under them, or anonymous ones that kept their number for a call back."""
    mine = Q(reporter=resident) if resident is not None else Q(pk__in=[])
    anonymous = Q(reporter__isnull=True, reporter_phone=phone) if phone else Q(pk__in=[])
    rows = Case.objects.filter(mine | anonymous).order_by("-submitted_at", "-pk")[:LIST_LIMIT]
    reports = []
    for case in rows:
        words, tone = presenters.status_text(case)
        reports.append({"number": case.number, "title": case.title, "status": words, "tone": tone,
                        "submitted": presenters.when(case.submitted_at), "anonymous": case.reporter_anonymous,
                        "link": reverse("portal:case", kwargs={"token": case.tracking_token})})
    return reports


def _views_of_number(phone: str) -> list[dict]:
    """The staff's full views of the number on the anonymous reports made from it (the case's own
    access log: no resident's log holds them), as ``staff_views_of`` tells a resident's."""
    if not phone:
        return []
    rows = list(ReporterAccessLog.objects.filter(granted=True, case__in=_anonymous_reports(phone))
                .select_related("case").order_by("-accessed_at", "-pk")[:LIST_LIMIT])
    roles = selectors.viewer_roles(rows)  # the posts held when they looked
    return [{"at": row.accessed_at, "roles": labels, "purpose": f"case {row.case.number}"}
            for row, labels in zip(rows, roles)]


def _credit(resident: Resident) -> list[dict]:
    """Their credit accounts (their own, and their household's), with the newest entries."""
    from wangge.credit import selectors as credit
    from wangge.credit.models import CreditAccount

    accounts = CreditAccount.objects.filter(
        Q(resident=resident) | (Q(household_id=resident.household_id) if resident.household_id else Q(pk__in=[])))
    return [{"account": account, "entries": credit.entries_of(account, limit=20)}
            for account in accounts.order_by("kind", "pk")]


def _visit_register(resident: Resident):
    """社区走访登记 (the key-person register): their entries in categories shown to the person;
    ``withheld`` when some entry (or a category of one) is kept from them."""
    from wangge.keypersons import selectors as keypersons

    return keypersons.register_of(resident)


def _register_shown(register) -> dict | None:
    """The register as the page shows it: each entry with the post responsible in words."""
    if not register:
        return None
    return {"entries": [{**asdict(e), "posts": selectors.post_labels(e.posts)} for e in register.entries],
            "withheld": register.withheld}


def _register_views(resident: Resident, register) -> list[dict]:
    """The staff's full views of the register entries shown to them (信息查看记录)."""
    from wangge.keypersons import selectors as keypersons

    if not register.entries:
        return []
    rows = keypersons.staff_views_of_register(resident, entries=register.entries, limit=LIST_LIMIT)
    return [{"at": row.accessed_at, "roles": labels, "purpose": KEYPERSON_VIEW}
            for row, labels in zip(rows, selectors.viewer_roles(rows))]


def _correction_about(register, raw: str | None) -> str:
    """The opening of a correction request about one of their entries (``?correct=<entry>``, the
    entry's link): the request mechanism has no field naming what it is about, so the words do.
    Anything else — another's entry, junk — opens the empty form."""
    entry = next((e for e in register.entries if str(e.pk) == (raw or "").strip()), None) if raw else None
    if entry is None:
        return ""
    words = pgettext("resident", "About my entry on the community visit register (%(categories)s, %(community)s): ")
    return words % {"categories": "、".join(entry.categories), "community": entry.community}


def _neighbourhood(resident: Resident) -> dict:
    """三问 · 三联 · 三评: the needs they raised, the services they received, their household's ratings."""
    from wangge.neighbourhood.models import Need, Rating, ServiceRecord

    ratings = (Rating.objects.filter(household_id=resident.household_id).select_related("service")
               .order_by("-rated_at")[:LIST_LIMIT] if resident.household_id else [])
    return {
        "needs": list(Need.objects.filter(resident=resident).select_related("need_class")
                      .order_by("-pk")[:LIST_LIMIT]),
        "services": list(ServiceRecord.objects.filter(resident=resident).order_by("-served_at")[:LIST_LIMIT]),
        "ratings": list(ratings),
    }


@require_http_methods(["GET"])
@private
@needs_verified
def me(request: HttpRequest, visitor: Visitor) -> HttpResponse:
    """Step 3: what the office holds about them (a resident's own view is logged)."""
    return _me_page(request, visitor)


def _me_page(request: HttpRequest, visitor: Visitor, form: RequestForm | None = None) -> HttpResponse:
    resident = visitor.resident
    views = _views_of_number(visitor.phone)
    register = _visit_register(resident) if resident is not None else None
    if resident is not None:
        personal_data.record_self_view(resident=resident, ip_address=address_of(request))
        views += [{"at": v.at, "roles": v.roles, "purpose": v.purpose}
                  for v in selectors.staff_views_of(resident, limit=LIST_LIMIT)]
        views += _register_views(resident, register)
        views = sorted(views, key=lambda v: v["at"], reverse=True)[:LIST_LIMIT]
    if form is None:
        about = _correction_about(register, request.GET.get("correct")) if register else ""
        form = RequestForm(initial={"kind": DataRequestKind.CORRECT, "details": about}) if about else RequestForm()
    requests = selectors.data_requests_of(resident) if resident is not None else []
    pending = {r.kind for r in requests if r.status == DataRequestStatus.PENDING}
    return render(request, "portal/mydata_me.html", {
        "resident": resident,
        "phone": visitor.phone,
        "household": household_address(resident.household) if resident and resident.household_id else "",
        "reports": _cases(visitor.phone, resident),
        "wechat": selectors.wechat_bindings_of(resident) if resident is not None else [],
        "credit": _credit(resident) if resident is not None else [],
        "neighbourhood": _neighbourhood(resident) if resident is not None else {},
        "register": _register_shown(register),
        "views": [{"at": presenters.when(v["at"]), "roles": v["roles"], "purpose": _purpose_text(v["purpose"])}
                  for v in views],
        "requests": [{"row": r, "tone": DATA_REQUEST_STATUS_TONES[r.status], "received": presenters.when(r.created_at),
                      "answered": presenters.when(r.handled_at)} for r in requests],
        "pending_kinds": pending,
        "form": form,
        "answer_days": personal_data.ANSWER_DAYS,
        "until": int(request.session[VERIFIED]["until"] - _now()) // 60 + 1,
        "Kind": DataRequestKind,
    })


@require_POST
@private
@needs_verified
def request_change(request: HttpRequest, visitor: Visitor) -> HttpResponse:
    """Step 4: 更正 / 删除 — recorded once; a second pending one of the same kind is refused."""
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            row = personal_data.create_data_request(
                resident=visitor.resident, phone="" if visitor.resident else visitor.phone,
                kind=form.cleaned_data["kind"], details=form.cleaned_data["details"])
        except DomainError as exc:  # a pending one of the same kind (DuplicateRequest), an erased resident
            form.add_error(None, exc.message)
        else:
            if visitor.resident is None:  # the number now has its resident: the page is theirs
                request.session[VERIFIED] = {**request.session[VERIFIED], "id": row.resident_id, "code": None}
            messages.success(request, _(
                "We have received your request. We will answer within %(days)d days by text message; "
                "you can also see the answer on this page.") % {"days": personal_data.ANSWER_DAYS})
            return redirect("portal:mydata_me")
    # Shown again beside the form (the form's address ends in #requests: the browser opens it there).
    return _me_page(request, visitor, form=form)


@require_POST
@private
def leave(request: HttpRequest) -> HttpResponse:
    """退出 — close the page on a shared phone."""
    request.session.pop(VERIFIED, None)
    request.session.pop(CHALLENGE, None)
    messages.info(request, _("You have left the page. Your personal data is no longer shown on this device."))
    return redirect("portal:mydata")

