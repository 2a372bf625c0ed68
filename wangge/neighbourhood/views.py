"""Staff pages of the neighbourhood app. Thin: ``selectors`` read, ``actions`` write; a refused
action renders its message at its status (400 / 403), a row out of reach is a 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.core import exports
from wangge.core.errors import DomainError, InvalidInput, NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel
from wangge.org.models import Region, User
from wangge.residents.masking import mask_name, mask_phone
from wangge.residents.models import Household

from . import actions, forms, selectors, signing
from .choices import (
    NEED_PENDING,
    CompoundType,
    NeedLevel,
    NeedScope,
    NeedSource,
    NeedStatus,
    ResourceTier,
    ScoreTarget,
    SelectionMethod,
)
from .models import (
    Award,
    Chief,
    ChiefEvaluation,
    Need,
    Questionnaire,
    RatingPeriod,
    Resource,
    quarter_label,
)


def staff_page(view):
    """Signed in, and someone this app serves (a chief, a field worker, a manager)."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.is_staff_user(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            return render(request, "neighbourhood/refused.html", {"error": error,
                          "back": request.META.get("HTTP_REFERER", "")}, status=error.status_code)
    return wrapper


def public_url(request, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(f"neighbourhood:{name}", args=[token]))


def qr_svg(url: str) -> HttpResponse:
    buffer = segno.make(url, error="m")
    from io import BytesIO

    out = BytesIO()
    buffer.save(out, kind="svg", scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def _places(user, *, levels=(RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT),
            limit: int = 800):
    roots = selectors.reach_roots(user)
    qs = Region.objects.filter(level__in=list(levels), is_active=True)
    if roots is not None:
        qs = qs.filter(selectors._or([Q(path__startswith=r.path)
                                      for r in roots]))
    return list(qs.order_by("path")[:limit])


def household_label(h: Household) -> str:
    return f"{h.unit.name if h.unit else ''} {h.room}".strip()


@require_GET
@staff_page
def home(request):
    return redirect("neighbourhood:needs")


# ---------------------------------------------------------------------------------------------
# Needs
# ---------------------------------------------------------------------------------------------


def _filtered_needs(request):
    qs = selectors.needs_visible_to(request.user)
    f = request.GET
    if f.get("status") in NeedStatus.values:
        qs = qs.filter(status=f["status"])
    elif f.get("status") != "all":
        qs = qs.exclude(status=NeedStatus.MERGED)
    if f.get("source") in NeedSource.values:
        qs = qs.filter(source=f["source"])
    if f.get("level") in NeedLevel.values:
        qs = qs.filter(level=f["level"])
    if need_class := row_id(f.get("class")):
        qs = qs.filter(need_class_id=need_class)
    if f.get("scope") in NeedScope.values:
        qs = qs.filter(scope=f["scope"])
    return qs


@require_GET
@staff_page
def needs(request):
    """需求清单 — the needs list in reach, filtered by class, source, status, level."""
    page = Paginator(_filtered_needs(request), 50).get_page(request.GET.get("page"))
    return render(request, "neighbourhood/needs.html", {
        "page": page, "classes": selectors.need_classes(), "statuses": NeedStatus.choices,
        "sources": NeedSource.choices, "levels": NeedLevel.choices, "scopes": NeedScope.choices,
        "f": request.GET, "tab": "needs",
    })


@require_GET
@staff_page
def needs_export(request):
    rows = ([n.reference, n.need_class.name, n.get_source_display(), n.get_scope_display(), n.household_count,
             n.get_status_display(), n.get_level_display(), n.community.name, n.region.name, n.description,
             timezone.localtime(n.raised_at).strftime("%Y-%m-%d %H:%M"), n.case_number]
            for n in _filtered_needs(request)[:50000])
    headers = [_("Number"), _("Class"), _("Raised by"), _("Common or individual"), _("Households"), _("Status"),
               _("Held by"), _("Community"), _("Place"), pgettext("need", "Description"), _("Raised at"), _("Case number")]
    response = HttpResponse(exports.write_xlsx(headers, rows, title=_("Needs list")),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="needs.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@staff_page
def need_new(request):
    """记录需求 — raise a need (door-to-door, consultation, or on a resident's behalf)."""
    if request.method == "POST":
        p = request.POST
        need = actions.raise_need(
            actor=request.user, need_class=p.get("need_class"), description=p.get("description", ""),
            source=p.get("source", ""), region=forms.region(p.get("region")),
            household=forms.row(Household, p.get("household"), "household",
                                selectors.households_visible_to(request.user), required=False),
            meeting_ref=p.get("meeting_ref", ""), scope=p.get("scope") or NeedScope.INDIVIDUAL)
        messages.success(request, _("Need %(ref)s recorded.") % {"ref": need.reference})
        return redirect(need.get_absolute_url())
    return render(request, "neighbourhood/need_new.html", {
        "classes": selectors.need_classes(), "sources": NeedSource.choices, "scopes": NeedScope.choices,
        "places": _places(request.user),
        "households": [(h.pk, household_label(h)) for h in selectors.households_visible_to(request.user)[:500]],
        "tab": "needs",
    })


def _contact_rows(need: Need) -> list[dict]:
    """The need's households with their residents masked, and whoever raised the need — under the
    household they named, or under the need's place when they named no room."""
    rows: dict = {}
    for link in need.household_links.select_related("household__unit"):
        rows[link.household.pk] = {"label": household_label(link.household), "id": link.household.pk,
                                   "linked": True, "residents": []}
    for contact in selectors.need_contacts(need):
        h = contact.household
        key = h.pk if h is not None else f"place:{need.pk}"
        row = rows.setdefault(key, {"label": household_label(h) if h is not None else need.region.name,
                                    "id": h.pk if h is not None else None, "linked": False, "residents": []})
        masked = f"{mask_name(contact.resident.name)} {mask_phone(contact.resident.phone)}".strip()
        if masked:
            row["residents"].append({"text": masked, "raised_it": contact.raised_it})
    return list(rows.values())


def need_context(user, need: Need) -> dict:
    contacts = _contact_rows(need)
    chiefs = [c for c in selectors.serving_chiefs(user) if need.region.path.startswith(c.region.path)]
    return {
        "need": need,
        "events": need.events.select_related("actor"),
        # Every row to contact (masked); the need's own households are those a service goes to.
        "contacts": contacts,
        "households": [row for row in contacts if row["linked"]],
        "proposals": selectors.propose_resources(user, need) if need.status in NEED_PENDING else [],
        "services": [(s, public_url_path(s)) for s in need.services.select_related("resource", "chief")],
        "mergeable": list(selectors.needs_visible_to(user).filter(community=need.community, status__in=NEED_PENDING)
                          .exclude(pk=need.pk)[:50]) if need.status in NEED_PENDING else [],
        "pending": need.status in NEED_PENDING,
        # The chiefs hand a need to the community; only the community hands it to the sub-district.
        "can_escalate": need.status in NEED_PENDING and (
            need.level == NeedLevel.CHIEFS
            or (need.level == NeedLevel.COMMUNITY and selectors.may_manage(user, need.community))),
        "chiefs": chiefs,
        "follow_ups": [(f, reverse("neighbourhood:follow_up", args=[signing.follow_token(f.pk)]))
                       for f in need.follow_ups.all()],
        "statuses": NeedStatus, "resources": _resources_to_serve(user, need, chiefs),
    }


def _resources_to_serve(user, need: Need, chiefs: list) -> list:
    """The resources a service to ``need`` may come from: active, of its class — and, for a chief,
    of a tier their post may link (a unit chief is not offered what only a grid chief links)."""
    if need.status not in NEED_PENDING:
        return []
    rows = list(selectors.resources_visible_to(user).filter(is_active=True, classes=need.need_class)[:100])
    if chiefs:
        rows = [r for r in rows if any(actions.may_link(c, r) for c in chiefs)]
    return rows


def public_url_path(service) -> str:
    return reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, service.household_id)])


@require_GET
@staff_page
def need(request, pk: int):
    need = selectors.need_for(request.user, pk)
    return render(request, "neighbourhood/need.html", {**need_context(request.user, need), "tab": "needs"})


@require_POST
@staff_page
def need_residents(request, pk: int):
    """查看住户信息 — the full names and phones of a need's households (every view logged; a refused
    attempt is logged too, then answered 403)."""
    from wangge.core.http import client_ip
    from wangge.residents.services import reveal_resident

    need = selectors.need_for(request.user, pk)
    rows = []
    for contact in selectors.need_contacts(need):
        shown = reveal_resident(resident=contact.resident, actor=request.user, purpose=f"neighbourhood:need:{need.pk}",
                                allowed=selectors.may_see_need_contact(request.user, need, contact),
                                ip_address=client_ip(request))
        rows.append({"household": household_label(contact.household) if contact.household else need.region.name,
                     "raised_it": contact.raised_it, **shown})
    back = reverse("neighbourhood:chief_need", args=[need.pk]) if request.POST.get("from") == "phone" \
        else need.get_absolute_url()
    return render(request, "neighbourhood/phone/residents.html", {"need": need, "rows": rows, "back": back})


def run_need_op(request, need: Need, op: str):
    """One action on a need from a form (staff page and chief's phone page alike)."""
    p, user = request.POST, request.user
    if op == "match":
        need = actions.match_need(actor=user, need=need, resource=selectors.resource_for(user, p.get("resource")),
                                  note=p.get("note", ""))
        messages.success(request, _("Matched to %(name)s.") % {"name": need.resource.name})
    elif op == "serve":
        chosen = p.get("resource") or need.resource_id
        if not chosen:
            # Nothing matched and nothing chosen: say so (a bare "not found" would be a dead end).
            raise InvalidInput(_("Choose the resource that delivered the service."), fields={"resource": "required"})
        resource = selectors.resource_for(user, chosen)
        chief = forms.row(Chief, p.get("chief"), "chief", selectors.chiefs_visible_to(user), required=False)
        household = forms.row(Household, p.get("household"), "household", selectors.households_visible_to(user),
                              required=False)
        service = actions.record_service(actor=user, need=need, resource=resource, chief=chief,
                                         household=household, description=p.get("description", ""),
                                         served_at=forms.moment(p.get("served_at"), "served_at"))
        messages.success(request, _("Service recorded. Ask the household to rate it."))
        return service
    elif op == "escalate":
        need = actions.escalate_need(actor=user, need=need, note=p.get("note", ""))
        messages.success(request, _("Escalated to: %(level)s.") % {"level": need.get_level_display()})
    elif op == "case":
        need = actions.need_to_case(actor=user, need=need, title=p.get("title", ""), note=p.get("note", ""))
        messages.success(request, _("Filed as case %(number)s.") % {"number": need.case_number})
    elif op == "close":
        actions.close_need(actor=user, need=need, note=p.get("note", ""))
        messages.success(request, _("Need closed."))
    elif op == "merge":
        ids = [pk for pk in map(row_id, p.getlist("others")) if pk]
        others = list(selectors.needs_visible_to(user).filter(pk__in=ids))
        if len(others) != len(set(ids)):
            raise NotFound()
        need = actions.merge_needs(actor=user, target=need, others=others, note=p.get("note", ""))
        messages.success(request, _("Merged: %(n)d households now share this need.") % {"n": need.household_count})
    else:
        raise NotFound()
    return None


@require_POST
@staff_page
def need_op(request, pk: int, op: str):
    need = selectors.need_for(request.user, pk)
    service = run_need_op(request, need, op)
    if service is not None:
        return redirect("neighbourhood:service", service.pk)
    return redirect(need.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Chiefs and coverage
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def chiefs(request):
    """三长 — the chiefs in reach; appoint one (managers)."""
    if request.method == "POST":
        p = request.POST
        resident = user = None
        if p.get("person") == "resident":
            from wangge.residents.services import resident_for_report

            if not p.get("phone"):
                raise actions.InvalidInput(_("Give the volunteer's phone number."), fields={"phone": "required"})
            if not actions.valid_phone(p.get("phone")):
                raise actions.InvalidInput(_("The phone number is not valid."), fields={"phone": "invalid"})
            place = forms.region(p.get("region"))
            if not selectors.may_manage(request.user, place):
                raise actions.Forbidden(_("You may not appoint chiefs there."))
            resident = resident_for_report(name=p.get("name", ""), phone=p.get("phone"), anonymous=False)
        else:
            user = forms.row(User, p.get("user"), "user", User.objects.filter(is_active=True))
        chief = actions.appoint_chief(
            actor=request.user, region=forms.region(p.get("region")), user=user, resident=resident,
            name=p.get("name", ""), selection_method=p.get("selection_method", ""),
            compound_type=p.get("compound_type", ""), is_party_member=bool(p.get("is_party_member")),
            term_start=forms.date(p.get("term_start"), "term_start"),
            term_end=forms.date(p.get("term_end"), "term_end", required=False), selection_note=p.get("note", ""))
        messages.success(request, _("%(chief)s appointed.") % {"chief": chief})
        return redirect("neighbourhood:chiefs")
    qs = selectors.chiefs_visible_to(request.user)
    if request.GET.get("all") != "1":
        qs = qs.filter(ended_at__isnull=True)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    managing = selectors.manager_communities(request.user)
    return render(request, "neighbourhood/chiefs.html", {
        "page": page, "tab": "chiefs", "can_appoint": bool(managing),
        "places": _places(request.user, levels=(RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT))
        if managing else [],
        "methods": SelectionMethod.choices, "compounds": CompoundType.choices,
        "today": timezone.localdate().isoformat(),
    })


@require_POST
@staff_page
def chief_end(request, pk: int):
    chief = forms.row(Chief, pk, "chief", selectors.chiefs_visible_to(request.user))
    actions.end_chief_term(actor=request.user, chief=chief, reason=request.POST.get("reason", ""))
    messages.success(request, _("Term ended."))
    return redirect("neighbourhood:chiefs")


@require_POST
@staff_page
def chief_login_link(request, pk: int):
    """A one-time sign-in link for a volunteer chief (shown to hand over, with its QR code)."""
    chief = forms.row(Chief, pk, "chief", selectors.chiefs_visible_to(request.user))
    url = request.build_absolute_uri(actions.issue_login_link(actor=request.user, chief=chief))
    import base64

    svg = qr_svg(url).content
    return render(request, "neighbourhood/login_link.html", {
        "chief": chief, "url": url, "qr": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "tab": "chiefs"})


@require_GET
@staff_page
def coverage(request):
    """三长覆盖 — which grids, buildings and units of a community have no chief."""
    communities = selectors.visible_communities(request.user)
    if not communities:
        raise Http404
    chosen = request.GET.get("community", "")
    community = next((c for c in communities if str(c.pk) == chosen), communities[0])
    return render(request, "neighbourhood/coverage.html", {
        "communities": communities, "community": community, "report": selectors.coverage(community),
        "tab": "coverage"})


# ---------------------------------------------------------------------------------------------
# Resources and services
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def resources(request):
    """服务资源库 — the library in reach; add a resource."""
    if request.method == "POST":
        p = request.POST
        resource = actions.create_resource(
            actor=request.user, name=p.get("name", ""), provider=p.get("provider", ""), tier=p.get("tier", ""),
            classes=[c for c in p.getlist("classes") if c], area=forms.region(p.get("area"), "area"),
            contact_name=p.get("contact_name", ""), contact_phone=p.get("contact_phone", ""),
            capacity=forms.integer(p.get("capacity"), "capacity", default=0), hours=p.get("hours", ""),
            address=p.get("address", ""), longitude=forms.number(p.get("longitude"), "longitude"),
            latitude=forms.number(p.get("latitude"), "latitude"), offers=p.get("offers", ""),
            linked_by=forms.row(Chief, p.get("linked_by"), "linked_by", selectors.chiefs_visible_to(request.user),
                                required=False))
        messages.success(request, _("%(name)s added to the library.") % {"name": resource.name})
        return redirect(resource.get_absolute_url())
    qs = selectors.resources_visible_to(request.user)
    if request.GET.get("tier") in ResourceTier.values:
        qs = qs.filter(tier=request.GET["tier"])
    if need_class := row_id(request.GET.get("class")):
        qs = qs.filter(classes=need_class)
    page = Paginator(qs.distinct(), 50).get_page(request.GET.get("page"))
    return render(request, "neighbourhood/resources.html", {
        "page": page, "tiers": ResourceTier.choices, "classes": selectors.need_classes(), "f": request.GET,
        "areas": _places(request.user, levels=(RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID)),
        "my_chiefs": selectors.serving_chiefs(request.user), "tab": "resources",
        "mask_phone": mask_phone,
    })


def _resource_page(request, res, *, contact_name: str, contact_phone: str, revealed: bool = False):
    return render(request, "neighbourhood/resource.html", {
        "resource": res, "contact_phone": contact_phone, "contact_name": contact_name, "revealed": revealed,
        "services": res.services.select_related("chief", "need_class")[:50], "tab": "resources",
        "may_edit": actions.may_manage_resource(request.user, res), "classes": selectors.need_classes(),
        "class_ids": {c.pk for c in res.classes.all()}})


@require_GET
@staff_page
def resource(request, pk: int):
    res = selectors.resource_for(request.user, pk)
    return _resource_page(request, res, contact_name=mask_name(res.contact_name),
                          contact_phone=mask_phone(res.contact_phone))


@require_POST
@staff_page
def resource_edit(request, pk: int):
    """改资源 — the details as corrected; a contact field left blank keeps the one on record."""
    res = selectors.resource_for(request.user, pk)
    p = request.POST
    if p.get("active") in ("0", "1"):
        change = actions.reactivate_resource if p["active"] == "1" else actions.deactivate_resource
        change(actor=request.user, resource=res)
        messages.success(request, _("Saved."))
        return redirect(res.get_absolute_url())
    actions.update_resource(
        actor=request.user, resource=res, name=p.get("name", ""), provider=p.get("provider", ""),
        classes=[c for c in p.getlist("classes") if c],
        contact_name=p.get("contact_name", "").strip() or None, contact_phone=p.get("contact_phone", "").strip() or None,
        capacity=forms.integer(p.get("capacity"), "capacity", default=0), hours=p.get("hours", ""),
        address=p.get("address", ""), longitude=forms.number(p.get("longitude"), "longitude"),
        latitude=forms.number(p.get("latitude"), "latitude"), offers=p.get("offers", ""))
    messages.success(request, _("Saved."))
    return redirect(res.get_absolute_url())


@require_POST
@staff_page
def resource_contact(request, pk: int):
    """查看联系方式 — the full contact, logged."""
    res = selectors.resource_for(request.user, pk)
    contact = actions.reveal_resource_contact(actor=request.user, resource=res)
    return _resource_page(request, res, contact_name=contact["contact_name"], contact_phone=contact["contact_phone"],
                          revealed=True)


@require_GET
@staff_page
def services(request):
    qs = selectors.services_visible_to(request.user)
    if request.GET.get("tier") in ResourceTier.values:
        qs = qs.filter(tier=request.GET["tier"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    everything = selectors.services_visible_to(request.user)
    by_tier = dict(everything.values_list("tier").annotate(n=Count("pk")))
    return render(request, "neighbourhood/services.html", {
        "page": page, "tiers": ResourceTier.choices, "f": request.GET, "tab": "services",
        "by_tier": [(label, by_tier.get(value, 0)) for value, label in ResourceTier.choices],
        "by_class": list(everything.values_list("need_class__name").annotate(n=Count("pk")).order_by("-n")),
    })


@require_GET
@staff_page
def service(request, pk: int):
    svc = selectors.service_for(request.user, pk)
    token = signing.rate_token(svc.pk, svc.household_id)
    return render(request, "neighbourhood/service.html", {
        "service": svc, "rate_url": public_url(request, "rate", token), "household": household_label(svc.household),
        "ratings": svc.ratings.all(), "tab": "services"})


@require_GET
@staff_page
def service_qr(request, pk: int):
    svc = selectors.service_for(request.user, pk)
    return qr_svg(public_url(request, "rate", signing.rate_token(svc.pk, svc.household_id)))


# ---------------------------------------------------------------------------------------------
# Questionnaires (线上问)
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def questionnaires(request):
    communities = selectors.manager_communities(request.user)
    if request.method == "POST":
        community = forms.row(Region, request.POST.get("community"), "community",
                              Region.objects.filter(level=RegionLevel.COMMUNITY))
        q = actions.publish_questionnaire(actor=request.user, community=community,
                                          title=request.POST.get("title", ""), question=request.POST.get("question", ""))
        messages.success(request, _("Questionnaire published: print its QR code or share its link."))
        return redirect(reverse("neighbourhood:questionnaires") + f"#q{q.pk}")
    visible = [c.pk for c in selectors.visible_communities(request.user)]
    rows = [(q, public_url(request, "ask", signing.ask_token(q.pk)))
            for q in Questionnaire.objects.filter(community_id__in=visible).select_related("community")[:100]]
    return render(request, "neighbourhood/questionnaires.html", {
        "rows": rows, "communities": communities, "tab": "questionnaires"})


@require_POST
@staff_page
def questionnaire_close(request, pk: int):
    q = forms.row(Questionnaire, pk, "questionnaire")
    actions.close_questionnaire(actor=request.user, questionnaire=q)
    messages.success(request, _("Questionnaire closed."))
    return redirect("neighbourhood:questionnaires")


@require_GET
@staff_page
def questionnaire_qr(request, pk: int):
    visible = [c.pk for c in selectors.visible_communities(request.user)]
    q = Questionnaire.objects.filter(pk=row_id(pk) or 0, community_id__in=visible).first()
    if q is None:
        raise Http404
    return qr_svg(public_url(request, "ask", signing.ask_token(q.pk)))


# ---------------------------------------------------------------------------------------------
# Ratings: quarterly publication, yearly evaluation, awards
# ---------------------------------------------------------------------------------------------


def _subdistricts(user) -> list[Region]:
    return selectors.scoring_subdistricts(user)


def _last_quarter(now: dt.datetime) -> tuple[int, int]:
    local = timezone.localtime(now)
    q = (local.month - 1) // 3 + 1
    return (local.year, q - 1) if q > 1 else (local.year - 1, 4)


def _whole(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _quarter_asked(request) -> tuple[int, int]:
    """The year and quarter a preview asks for (``?year=&quarter=``); a value that is not a
    quarter (``quarter=7``, ``year=abc``) is said on the page and the last quarter shown instead."""
    default = _last_quarter(timezone.now())
    raw_year, raw_quarter = request.GET.get("year", ""), request.GET.get("quarter", "")
    year = _whole(raw_year) if raw_year != "" else default[0]
    quarter = _whole(raw_quarter) if raw_quarter != "" else default[1]
    if year is None or not 2000 <= year <= 2100 or quarter is None or not 1 <= quarter <= 4:
        messages.warning(request, _("There is no quarter “%(year)s Q%(quarter)s”: a quarter is 1 to 4 of a year "
                                    "from 2000 to 2100. Showing the last quarter, %(label)s.") % {
            "year": raw_year or default[0], "quarter": raw_quarter or default[1],
            "label": quarter_label(*default)})
        return default
    return year, quarter


def _min_ratings_asked(request) -> int:
    raw = request.GET.get("min_ratings", "")
    value = _whole(raw) if raw != "" else 3
    if value is None or not 1 <= value <= 1000:
        messages.warning(request, _("The minimum number of ratings is a whole number from 1 to 1000: showing 3."))
        return 3
    return value


@require_http_methods(["GET", "POST"])
@staff_page
def ratings(request):
    """季度公示 — preview a quarter's scores, review (set the minimum), publish."""
    subdistricts = _subdistricts(request.user)
    if not subdistricts:
        raise Http404
    src = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        default_year, default_quarter = _last_quarter(timezone.now())
        year = forms.integer(src.get("year"), "year", default=default_year)
        quarter = forms.integer(src.get("quarter"), "quarter", default=default_quarter)
    else:
        year, quarter = _quarter_asked(request)
    chosen = src.get("subdistrict", "")
    subdistrict = next((s for s in subdistricts if str(s.pk) == chosen), subdistricts[0])
    if request.method == "POST":
        period = actions.review_quarter(actor=request.user, subdistrict=subdistrict, year=year, quarter=quarter,
                                        min_ratings=src.get("min_ratings", 3), note=src.get("note", ""))
        messages.success(request, _("Reviewed. Publish when the figures are right."))
        return redirect(reverse("neighbourhood:ratings") + f"?subdistrict={subdistrict.pk}&year={year}&quarter={quarter}")
    period = RatingPeriod.objects.filter(subdistrict=subdistrict, year=year, quarter=quarter).first()
    min_ratings = period.min_ratings if period else _min_ratings_asked(request)
    if period and period.is_published:
        rows = list(period.scores.all())
    else:
        rows = selectors.quarter_scores(subdistrict, year, quarter, min_ratings)
    return render(request, "neighbourhood/ratings.html", {
        "subdistricts": subdistricts, "subdistrict": subdistrict, "year": year, "quarter": quarter,
        "period": period, "rows": rows, "min_ratings": min_ratings, "targets": ScoreTarget,
        "formula": selectors.period_formula(period) if period else str(selectors.FORMULA) % {"min": min_ratings},
        "periods": RatingPeriod.objects.filter(subdistrict=subdistrict)[:12], "tab": "ratings"})


@require_POST
@staff_page
def period_publish(request, pk: int):
    period = forms.row(RatingPeriod, pk, "period")
    actions.publish_quarter(actor=request.user, period=period)
    messages.success(request, _("Published."))
    return redirect(reverse("neighbourhood:score_period", args=[period.pk]))


@require_http_methods(["GET", "POST"])
@staff_page
def evaluation(request):
    """年度评议 and 表彰 — evaluate the chiefs of a year; record awards."""
    subdistricts = _subdistricts(request.user)
    if not subdistricts:
        raise Http404
    src = request.POST if request.method == "POST" else request.GET
    year = forms.integer(src.get("year"), "year", default=timezone.localdate().year)
    subdistrict = next((s for s in subdistricts if str(s.pk) == src.get("subdistrict", "")), subdistricts[0])
    if request.method == "POST":
        if src.get("op") == "award":
            actions.give_award(
                actor=request.user, year=year, title=src.get("title", ""), reward=src.get("reward", ""),
                chief=forms.row(Chief, src.get("chief"), "chief", selectors.chiefs_visible_to(request.user),
                                required=False),
                resource=forms.row(Resource, src.get("resource"), "resource",
                                   selectors.resources_visible_to(request.user), required=False))
            messages.success(request, _("Award recorded."))
        else:
            actions.evaluate_chiefs(actor=request.user, subdistrict=subdistrict, year=year)
            messages.success(request, _("Evaluation computed."))
        return redirect(reverse("neighbourhood:evaluation") + f"?subdistrict={subdistrict.pk}&year={year}")
    rows = ChiefEvaluation.objects.filter(year=year, chief__region__path__startswith=subdistrict.path) \
        .select_related("chief", "chief__region")
    return render(request, "neighbourhood/evaluation.html", {
        "subdistricts": subdistricts, "subdistrict": subdistrict, "year": year, "rows": rows,
        "formula": actions.EVALUATION_FORMULA,
        "awards": Award.objects.filter(year=year).select_related("chief", "resource"),
        "resources": selectors.resources_visible_to(request.user).filter(is_active=True)[:300],
        "tab": "evaluation"})


# ---------------------------------------------------------------------------------------------
# Figures (the dashboard tab 三问三联三评)
# ---------------------------------------------------------------------------------------------


@require_GET
@staff_page
def figures(request):
    data = selectors.figures(request.user)
    source_labels = dict(NeedSource.choices)
    classes = [{"name": name, "raised": e["raised"], "met": e["met"],
                "sources": [(source_labels[s], e["by_source"].get(s, 0)) for s in NeedSource.values]}
               for name, e in sorted(data["needs_by_class"].items(), key=lambda kv: -kv[1]["raised"])]
    return render(request, "neighbourhood/figures.html", {
        "data": data, "classes": classes, "current_tab": "neighbourhood",
        "by_source": [(label, data["needs_by_source"].get(v, 0)) for v, label in NeedSource.choices],
        "by_tier": [(label, data["services_by_tier"].get(v, 0)) for v, label in ResourceTier.choices],
        "chief_counts": data["chiefs_by_kind"], "tab": "figures",
    })

