"""The credit pages: the staff desk (accounts, awards, corrections, the store counter, items,
figures), the merchant's code page (核销) and the resident's phone page (by signed link).
Thin: ``selectors`` read, ``actions`` write; a refusal comes back as a message, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.core.actors import Actor
from wangge.core.errors import DomainError
from wangge.core.http import row_id
from wangge.core.ratelimit import Limit, client_ip
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import actions, permissions, selectors, signing
from .choices import ENTRY_COLOURS, EntryKind
from .forms import (
    AwardForm,
    CodeForm,
    CorrectForm,
    CounterForm,
    ItemForm,
    OpenAccountForm,
    RestockForm,
)
from .models import CreditAccount, LedgerEntry


def _desk(request: HttpRequest) -> None:
    if not permissions.may_use_credit_desk(request.user):
        raise Http404


def _first_error(form) -> str:
    return next((str(e) for errors in form.errors.values() for e in errors), _("The input is not valid."))


def _account_or_404(user, pk) -> CreditAccount:
    try:
        return selectors.account_for(user, pk)
    except DomainError:
        raise Http404 from None


# ---------------------------------------------------------------------------------------------
# Staff desk
# ---------------------------------------------------------------------------------------------


def _places_for(user) -> list[Region]:
    """Where the user may open accounts: the grids (and communities) of their territory."""
    communities = selectors.communities_for(user)
    places = []
    for community in communities:
        for region in Region.objects.filter(path__startswith=community.path, is_active=True,
                                            level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID]).order_by("path"):
            if permissions.may_open_account(user, region):
                places.append(region)
    return places


@login_required
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    """积分账户 — the accounts of the user's territory, by balance; look one up by phone."""
    _desk(request)
    phone = request.GET.get("phone", "").strip()
    rows = selectors.accounts_visible_to(request.user)
    found = None
    if phone:
        found = selectors.account_by_phone(request.user, phone)
        if found is not None:
            return redirect("credit:account", pk=found.pk)
        messages.info(request, _("No account with that phone number in your territory."))
    return render(request, "credit/accounts.html", {
        "accounts": rows.order_by("-balance", "pk")[:100],
        "count": rows.count(),
        "open_form": OpenAccountForm(places=_places_for(request.user)),
        "phone": phone,
    })


@login_required
@require_POST
def open_account(request: HttpRequest) -> HttpResponse:
    """开户 — a resident (found or made by phone) gets an account at a place of the territory."""
    from wangge.org.choices import RegionLevel
    from wangge.residents.masking import valid_phone
    from wangge.residents.services import household_of, resident_for_report

    _desk(request)
    places = _places_for(request.user)
    form = OpenAccountForm(request.POST, places=places)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("credit:accounts")
    if not valid_phone(form.cleaned_data["phone"]):
        messages.error(request, _("Enter a valid phone number."))
        return redirect("credit:accounts")
    place = next(r for r in places if str(r.pk) == form.cleaned_data["place"])
    try:
        with transaction.atomic():
            resident = resident_for_report(name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                                           anonymous=False)
            if form.cleaned_data["for_household"]:  # 户: one account the family earns into together
                unit = place if place.level in (RegionLevel.BUILDING, RegionLevel.UNIT) else None
                household = household_of(resident=resident, unit=unit, room=form.cleaned_data["room"])
                account = actions.open_account(actor=request.user, region=place, household=household)
            else:
                account = actions.open_account(actor=request.user, region=place, resident=resident)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("credit:accounts")
    return redirect("credit:account", pk=account.pk)


@login_required
@require_GET
def account(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: balance, entries, award, counter, corrections, the resident's link."""
    _desk(request)
    acc = _account_or_404(request.user, pk)
    rules = [r for r in selectors.awardable_rules(request.user) if permissions.may_award(request.user, r, acc)]
    items = selectors.store_of(acc.community_id).filter(merchant__isnull=True, stock__gte=1)
    entries = selectors.entries_of(acc, limit=200)
    corrected = set(LedgerEntry.objects.filter(account=acc, source="correction").values_list("source_id", flat=True))
    link = request.build_absolute_uri(reverse("credit:resident", args=[signing.token_for(acc.pk)]))
    return render(request, "credit/account.html", {
        "account": acc,
        "entries": [{"entry": e, "colour": ENTRY_COLOURS.get(e.kind, "grey"),
                     "correctable": e.kind in (EntryKind.EARN, EntryKind.SPEND) and str(e.pk) not in corrected}
                    for e in entries],
        "award_form": AwardForm(rules=selectors.awardable_rules(request.user).filter(pk__in=[r.pk for r in rules]))
        if rules else None,
        "counter_form": CounterForm(items=items) if items.exists() and any(
            permissions.may_run_counter(request.user, i) for i in items[:1]) else None,
        "may_correct": permissions.may_correct(request.user, acc),
        "resident_link": link if acc.resident_id else "",
        "leaderboard": selectors.leaderboard(acc.community_id, limit=10),
    })


@login_required
@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    _desk(request)
    acc = _account_or_404(request.user, pk)
    form = AwardForm(request.POST, rules=selectors.awardable_rules(request.user))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("credit:account", pk=acc.pk)
    try:
        entry = actions.award_credit(actor=request.user, account=acc, rule=form.cleaned_data["rule"],
                                     quantity=form.cleaned_data["quantity"], note=form.cleaned_data["note"],
                                     request_key=form.cleaned_data["request_key"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if entry.replayed:
            messages.info(request, _("This award was already booked."))
        else:
            messages.success(request, _("%(points)d credit awarded.") % {"points": entry.amount})
    return redirect("credit:account", pk=acc.pk)


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正 — a reversing entry for one entry of an account the user may see."""
    _desk(request)
    entry = LedgerEntry.objects.filter(pk=pk).select_related("account").first()
    if entry is None:
        raise Http404
    acc = _account_or_404(request.user, entry.account_id)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("credit:account", pk=acc.pk)
    try:
        actions.correct_entry(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The entry was reversed."))
    return redirect("credit:account", pk=acc.pk)


@login_required
@require_POST
def counter(request: HttpRequest, pk: int) -> HttpResponse:
    """柜台兑换 — hand an item to the account's holder at the counter."""
    _desk(request)
    acc = _account_or_404(request.user, pk)
    form = CounterForm(request.POST, items=selectors.store_of(acc.community_id))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("credit:account", pk=acc.pk)
    try:
        redemption = actions.redeem_at_counter(actor=request.user, account=acc, item=form.cleaned_data["item"],
                                               request_key=form.cleaned_data["request_key"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if redemption.replayed:
            messages.info(request, _("This redemption was already booked."))
        else:
            messages.success(request, _("Handed out: %(item)s (%(price)d credit).") % {
                "item": redemption.item.name, "price": redemption.price})
    return redirect("credit:account", pk=acc.pk)


@login_required
@require_GET
def store(request: HttpRequest) -> HttpResponse:
    """德誉超市 — the items of the user's communities: add, restock, take off sale; enter a code."""
    communities = selectors.communities_for(request.user)
    if not communities and not permissions.may_use_credit_desk(request.user):
        raise Http404
    chosen = request.GET.get("community", "")
    community = next((c for c in communities if str(c.pk) == chosen), communities[0] if communities else None)
    items = selectors.items_visible_to(request.user)
    if community is not None:
        items = items.filter(community=community)
    return render(request, "credit/store.html", {
        "communities": communities, "community": community, "items": items.order_by("name"),
        "may_manage": community is not None and permissions.may_manage_store(request.user, community),
        "item_form": ItemForm(), "restock_form": RestockForm(), "code_form": CodeForm(),
        "leaderboard": selectors.leaderboard(community.pk) if community else [],
    })


@login_required
@require_POST
def item_create(request: HttpRequest) -> HttpResponse:
    community = next((c for c in selectors.communities_for(request.user)
                      if str(c.pk) == request.POST.get("community", "")), None)
    if community is None:
        raise Http404
    back = reverse("credit:store") + f"?community={community.pk}"
    form = ItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    try:
        item = actions.create_store_item(actor=request.user, community=community, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(item)s is on sale.") % {"item": item.name})
    return redirect(back)


def _item_or_404(user, pk):
    try:
        return selectors.item_for(user, pk)
    except DomainError:
        raise Http404 from None


@login_required
@require_POST
def item_restock(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request.user, pk)
    form = RestockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        try:
            actions.restock_item(actor=request.user, item=item, add=form.cleaned_data["add"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Stock of %(item)s: %(stock)d.") % {"item": item.name, "stock": item.stock})
    return redirect(reverse("credit:store") + f"?community={item.community_id}")


@login_required
@require_POST
def item_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request.user, pk)
    try:
        actions.set_item_on_sale(actor=request.user, item=item, on_sale=not item.is_active)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("credit:store") + f"?community={item.community_id}")


@login_required
@require_http_methods(["GET", "POST"])
def redeem_code(request: HttpRequest) -> HttpResponse:
    """核销 — a merchant (or counter staff) enters the code a resident shows on their phone."""
    merchant = permissions.merchant_of(request.user)
    if merchant is None and not permissions.may_use_credit_desk(request.user):
        raise Http404
    done = None
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not Limit.named("credit_code").hit(f"user:{request.user.pk}"):
            messages.error(request, _("Too many codes entered; wait a few minutes and try again."))
        else:
            try:
                done = actions.redeem_code(actor=request.user, code=form.cleaned_data["code"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                form = CodeForm()
    elif request.method == "POST":
        messages.error(request, _first_error(form))
    return render(request, "credit/redeem_code.html", {"form": form, "done": done, "merchant": merchant})


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """信用积分 — credit earned and spent by month and community (a tab of the command dashboard)."""
    _desk(request)
    data = selectors.figures(request.user)
    if request.GET.get("format") == "xlsx":  # through the formula-safe writer, as every export
        from wangge.core.exports import write_xlsx

        content = write_xlsx([_("Month"), _("Community"), _("Earned"), _("Spent"), _("Expired")],
                             [[r["month"], r["community"], r["earned"], r["spent"], r["expired"]] for r in data["rows"]],
                             title=_("Credit"))
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="credit-figures.xlsx"'
        return response
    return render(request, "credit/figures.html", {"current_tab": "credit", "data": data, "chart": {
        "months": data["months"],
        "earned": [data["by_month"][m]["earned"] for m in data["months"]],
        "spent": [data["by_month"][m]["spent"] for m in data["months"]],
    }})


# ---------------------------------------------------------------------------------------------
# The resident's phone page (signed link)
# ---------------------------------------------------------------------------------------------


def _resident_account(request: HttpRequest, token: str) -> CreditAccount | None:
    try:
        account_id = signing.account_id_from(token)
    except signing.BadToken:
        return None
    return CreditAccount.objects.filter(pk=account_id, resident__isnull=False).select_related(
        "resident", "community").first()


def _bad_link(request: HttpRequest) -> HttpResponse:
    response = render(request, "credit/resident_bad_link.html", status=404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_GET
def resident(request: HttpRequest, token: str) -> HttpResponse:
    """我的积分 — balance, history, the store and the leaderboard, on a phone."""
    if not Limit.named("credit_resident").hit(f"ip:{client_ip(request)}"):
        return render(request, "credit/resident_bad_link.html", {"too_many": True}, status=429)
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    codes = acc.codes.filter(used_at__isnull=True).select_related("item").order_by("-created_at")[:3]
    from django.utils import timezone

    response = render(request, "credit/resident.html", {
        "account": acc, "token": token,
        "entries": selectors.entries_of(acc, limit=50),
        "items": [(item, max(0, item.price - acc.balance)) for item in selectors.store_of(acc.community_id)],
        "codes": [c for c in codes if c.expires_at > timezone.now()],
        "leaderboard": selectors.leaderboard(acc.community_id, limit=10),
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token never leaves in a Referer to another site (same-origin keeps CSRF Origin checks working).
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def resident_code(request: HttpRequest, token: str) -> HttpResponse:
    """The resident picks an item: a code to show at the shop (ten minutes)."""
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    item_id = row_id(request.POST.get("item"))
    item = selectors.store_of(acc.community_id).filter(pk=item_id).first() if item_id else None
    if item is None:
        messages.error(request, _("Choose an item."))
    else:
        try:
            code = actions.issue_redemption_code(account=acc, item=item, actor=Actor.of_resident(acc.resident))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your code for %(item)s: %(code)s — show it at the shop within ten minutes.")
                             % {"item": item.name, "code": code.code})
    return redirect("credit:resident", token=token)


@require_POST
def resident_opt_in(request: HttpRequest, token: str) -> HttpResponse:
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    actions.set_leaderboard_opt_in(account=acc, opt_in=request.POST.get("opt_in") == "1",
                                   actor=Actor.of_resident(acc.resident))
    return redirect("credit:resident", token=token)
