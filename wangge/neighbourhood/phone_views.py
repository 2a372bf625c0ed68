"""Phone pages (360 px first, no JavaScript needed): the chief's own pages and the residents'
pages reached by a signed link or QR code (answer a questionnaire, rate a service, say whether
it was really fixed) and the published scores."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wangge.core.errors import DomainError, NotFound
from wangge.core.http import row_id
from wangge.core.ratelimit import Limit, client_ip
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.residents.models import Household

from . import actions, forms, selectors, signing
from .choices import NEED_PENDING, FixedAnswer, NeedLevel
from .models import FollowUp, Questionnaire, ServiceRecord
from .views import household_label, need_context, run_need_op


def chief_page(view):
    """Signed in with a serving chief post (a volunteer's limited account or staff)."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.serving_chiefs(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            # Back to the page the refused form was on (a need's page), not to the chief's home.
            back = request.path if request.method == "POST" else reverse("neighbourhood:chief_home")
            return render(request, "neighbourhood/phone/refused.html", {"error": error, "back": back},
                          status=error.status_code)
    return wrapper


def _refused(request, problem: str, status: int):
    response = render(request, "neighbourhood/phone/bad_link.html", {"problem": problem}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def enter(request, uid: str, token: str):
    """A volunteer chief's one-time sign-in link: GET shows a button (so that a chat app's link
    preview does not spend it), POST signs in and opens the chief's page."""
    from django.contrib.auth import login
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    from wangge.org.models import User

    try:
        pk = row_id(urlsafe_base64_decode(uid).decode())
        user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    except (ValueError, TypeError, UnicodeDecodeError):
        user = None
    if user is None or not actions.is_limited_account(user) or not default_token_generator.check_token(user, token) \
            or not selectors.serving_chiefs(user):
        return _refused(request, "bad", 404)
    if request.method == "POST":
        if not Limit.named("nb_rate").hit(client_ip(request)):
            return render(request, "neighbourhood/phone/too_many.html", status=429)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("neighbourhood:chief_home")
    return render(request, "neighbourhood/phone/enter.html", {"chief": selectors.serving_chiefs(user)[0]})


@require_GET
@chief_page
def chief_home(request):
    """我的 — the needs that are the chief's to answer (those escalated to the community or the
    sub-district apart: no longer theirs), the services recorded with their rating links, and
    the chief's notifications."""
    from wangge.notifications.models import Notification

    posts = selectors.serving_chiefs(request.user)
    pending = selectors.needs_visible_to(request.user).filter(status__in=NEED_PENDING)
    return render(request, "neighbourhood/phone/chief_home.html", {
        "posts": posts, "open_needs": pending.filter(level=NeedLevel.CHIEFS)[:50],
        "escalated_needs": pending.exclude(level=NeedLevel.CHIEFS).order_by("-escalated_at", "-pk")[:20],
        "services": selectors.services_visible_to(request.user).filter(chief__in=posts)
        .annotate(rating_count=Count("ratings"))[:20],
        "unread": Notification.objects.filter(recipient=request.user, read_at__isnull=True).count(),
        "volunteer": actions.is_limited_account(request.user),
    })


def _rate_url(request, service) -> str:
    return request.build_absolute_uri(
        reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, service.household_id)]))


@require_http_methods(["GET", "POST"])
@chief_page
def chief_need(request, pk: int):
    need = selectors.need_for(request.user, pk)
    if request.method == "POST":
        service = run_need_op(request, need, request.POST.get("op", ""))
        if service is not None:
            return render(request, "neighbourhood/phone/served.html", {
                "service": service, "rate_url": _rate_url(request, service), "just_recorded": True,
                "household": household_label(service.household)})
        return redirect("neighbourhood:chief_need", need.pk)
    return render(request, "neighbourhood/phone/chief_need.html", need_context(request.user, need))


@require_GET
@chief_page
def chief_service(request, pk: int):
    """A service the chief recorded: its rating link and QR code to show the household again."""
    service = selectors.service_for(request.user, pk)
    return render(request, "neighbourhood/phone/served.html", {
        "service": service, "rate_url": _rate_url(request, service), "household": household_label(service.household),
        "ratings": service.ratings.all()})


# The visit form's fields, and what to say at each (the actions' messages are written for every
# form; these name what the chief left out). The action's "description" is this form's need.
VISIT_FIELDS = {"chief": "chief", "household": "household", "note": "note",
                "need_class": "need_class", "description": "need_description"}
VISIT_MESSAGES = {
    ("note", "required"): gettext_lazy("Write down what was said at the visit."),
    ("need_class", "invalid"): gettext_lazy("Choose the class of the need you heard."),
    ("need_description", "required"): gettext_lazy("Say in a sentence what the need is."),
}


@require_http_methods(["GET", "POST"])
@chief_page
def chief_visit(request):
    """入户问 — a line in the sentiment diary, and the need heard at the door. Refused input is
    shown again as typed, with the message at its field (nothing is saved until all is right)."""
    posts = selectors.serving_chiefs(request.user)
    households = selectors.households_visible_to(request.user)
    context = {
        "posts": posts, "classes": selectors.need_classes(),
        "households": [(h.pk, household_label(h)) for h in households[:300]],
        "values": request.POST,
    }
    if request.method == "POST":
        p = request.POST
        chief = next((c for c in posts if str(c.pk) == p.get("chief")), posts[0])
        try:
            actions.record_visit(
                actor=request.user, chief=chief, note=p.get("note", ""),
                household=forms.row(Household, p.get("household"), "household", households, required=False),
                need_class=p.get("need_class") or None, need_description=p.get("need_description", ""))
        except NotFound:
            raise
        except DomainError as error:
            field_errors = {}
            for field, code in error.fields.items():
                name = VISIT_FIELDS.get(field)
                if name is not None and name not in field_errors:
                    field_errors[name] = str(VISIT_MESSAGES.get((name, code), error.message))
            return render(request, "neighbourhood/phone/chief_visit.html", {
                **context, "error": None if field_errors else error, "field_errors": field_errors,
                "diary": _diary(posts)}, status=error.status_code)
        messages.success(request, _("Visit recorded in the diary."))
        return redirect("neighbourhood:chief_home")
    return render(request, "neighbourhood/phone/chief_visit.html", {**context, "diary": _diary(posts)})


def _diary(posts) -> list:
    return [e for c in posts for e in c.diary.all()[:10]]


# The questionnaire form's fields, and what to say at a field left empty or not chosen (the
# actions' messages are written for every form; these speak to the resident).
ASK_FIELDS = ("need_class", "description", "unit", "room", "name", "phone")
ASK_MESSAGES = {
    ("need_class", "required"): gettext_lazy("Choose the kind of help you need."),
    ("need_class", "invalid"): gettext_lazy("Choose the kind of help you need."),
    ("description", "required"): gettext_lazy("Tell us in a few words what you need."),
}


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request, token: str):
    """线上问 — a resident answers a community's questionnaire (a need)."""
    try:
        q = Questionnaire.objects.select_related("community").filter(pk=signing.questionnaire_id_from(token)).first()
    except signing.BadLink:
        q = None
    if q is None:
        return _refused(request, "bad", 404)
    if not q.is_open:
        return _refused(request, "closed", 410)
    units = Region.objects.filter(path__startswith=q.community.path, level__in=[RegionLevel.BUILDING, RegionLevel.UNIT],
                                  is_active=True).order_by("path")[:600]
    context = {"q": q, "classes": selectors.need_classes(), "units": units, "values": request.POST}
    if request.method == "POST":
        if not Limit.named("nb_answer").hit(client_ip(request)):
            return render(request, "neighbourhood/phone/too_many.html", status=429)
        missing = {field: str(ASK_MESSAGES[field, "required"]) for field in ("need_class", "description")
                   if not str(request.POST.get(field, "")).strip()}
        if missing:
            return render(request, "neighbourhood/phone/ask.html", {**context, "field_errors": missing}, status=400)
        try:
            unit = forms.region(request.POST.get("unit"), "unit", required=False)
            if unit is not None and not any(u.pk == unit.pk for u in units):
                raise actions.InvalidInput(_("Choose a building or unit of this community."), fields={"unit": "invalid"})
            need = actions.answer_questionnaire(
                questionnaire=q, need_class=request.POST.get("need_class"),
                description=request.POST.get("description", ""), unit=unit, room=request.POST.get("room", ""),
                name=request.POST.get("name", ""), phone=request.POST.get("phone", ""))
        except DomainError as error:
            field_errors = {field: str(ASK_MESSAGES.get((field, code), error.message))
                            for field, code in error.fields.items() if field in ASK_FIELDS}
            return render(request, "neighbourhood/phone/ask.html",
                          {**context, "error": None if field_errors else error, "field_errors": field_errors},
                          status=error.status_code)
        return render(request, "neighbourhood/phone/thanks.html", {"need": need})
    return render(request, "neighbourhood/phone/ask.html", context)


# A refused rating names the question it is about (请选择 1 到 5 分 alone does not say which).
RATING_MESSAGES = {
    "service_score": gettext_lazy("Choose a score from 1 to 5 for the service."),
    "chief_score": gettext_lazy("Choose a score from 1 to 5 for the %(role)s who brought it, or none."),
    "fixed": gettext_lazy("Choose one of the answers to “was your need really met?”."),
}
FOLLOW_UP_MESSAGES = {
    "fixed": gettext_lazy("Say whether it is fixed."),
    "score": gettext_lazy("Choose how satisfied you are, from 1 to 5."),
}


def _rating_errors(error: DomainError, wording: dict, *, role: str = "") -> dict[str, str]:
    """The refusal at the question it is about: {field: message}."""
    return {field: (str(wording[field]) % {"role": role} if field in wording else error.message)
            for field in error.fields if field in {*wording, "comment"}}


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    """三评 — the household served rates the service and the chief (once)."""
    try:
        service_id, household_id = signing.rating_target_from(token)
    except signing.BadLink:
        return _refused(request, "bad", 404)
    service = ServiceRecord.objects.select_related("resource", "chief").filter(pk=service_id).first()
    household = Household.objects.filter(pk=household_id).first()
    if service is None or household is None:
        return _refused(request, "bad", 404)
    done = service.ratings.filter(household=household).first()
    context = {"service": service, "done": done, "answers": FixedAnswer.choices, "scores": range(5, 0, -1),
               "values": request.POST}
    if request.method == "POST" and done is None:
        if not Limit.named("nb_rate").hit(client_ip(request)):
            return render(request, "neighbourhood/phone/too_many.html", status=429)
        try:
            rating = actions.rate_service(service=service, household=household,
                                          service_score=request.POST.get("service_score"),
                                          chief_score=request.POST.get("chief_score"),
                                          fixed=request.POST.get("fixed", ""), comment=request.POST.get("comment", ""))
        except DomainError as error:
            role = str(service.chief.get_kind_display()).lower() if service.chief_id else ""
            field_errors = _rating_errors(error, RATING_MESSAGES, role=role)
            return render(request, "neighbourhood/phone/rate.html",
                          {**context, "error": None if field_errors else error, "field_errors": field_errors},
                          status=error.status_code)
        return render(request, "neighbourhood/phone/rate.html", {**context, "done": rating, "thanks": True})
    return render(request, "neighbourhood/phone/rate.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def follow_up(request, token: str):
    """“Was it really fixed?” — after a case made from a need was closed."""
    try:
        fu = FollowUp.objects.select_related("need").filter(pk=signing.follow_up_id_from(token)).first()
    except signing.BadLink:
        fu = None
    if fu is None:
        return _refused(request, "bad", 404)
    context = {"fu": fu, "answers": FixedAnswer.choices, "scores": range(5, 0, -1), "values": request.POST}
    if request.method == "POST" and fu.answered_at is None:
        if not Limit.named("nb_rate").hit(client_ip(request)):
            return render(request, "neighbourhood/phone/too_many.html", status=429)
        try:
            fu = actions.answer_follow_up(follow_up=fu, fixed=request.POST.get("fixed", ""),
                                          score=request.POST.get("score"), comment=request.POST.get("comment", ""))
        except DomainError as error:
            field_errors = _rating_errors(error, FOLLOW_UP_MESSAGES)
            return render(request, "neighbourhood/phone/follow_up.html",
                          {**context, "error": None if field_errors else error, "field_errors": field_errors},
                          status=error.status_code)
        return render(request, "neighbourhood/phone/follow_up.html", {**context, "fu": fu, "thanks": True})
    return render(request, "neighbourhood/phone/follow_up.html", context)


@require_GET
def scores(request):
    """季度公示 — the published quarters (public)."""
    return render(request, "neighbourhood/phone/scores.html", {"periods": selectors.published_periods()[:40]})


@require_GET
def score_period(request, pk: int):
    period = selectors.published_periods().filter(pk=row_id(pk) or 0).first()
    if period is None:
        raise Http404
    return render(request, "neighbourhood/phone/score_period.html", {
        "period": period, "formula": selectors.period_formula(period), "scores": period.scores.all()})


