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
from .choices import DISPUTE_COLOURS, ENTRY_COLOURS, AccountKind, DisputeStatus, EntryKind
from .forms import (
    AwardForm,
    CodeForm,
    CorrectForm,
    CounterForm,
    DisputeForm,
    ItemForm,
    OpenAccountForm,
    ResolveDisputeForm,
    RestockForm,
)
from .models import CreditAccount, CreditDispute, LedgerEntry


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
    """Where the user may open accounts: the communities, grids, buildings and units of their
    territory, each labelled by its path from the community (东园社区 / 1号楼 / 1单元)."""
    levels = [RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT]
    places = []
    for community in selectors.communities_for(user):
        labels: dict[str, str] = {}
        for region in Region.objects.filter(path__startswith=community.path, is_active=True,
                                            level__in=levels).order_by("path"):
            parent = labels.get(region.path[:-Region.steplen], "")
            labels[region.path] = region.place_label = f"{parent} / {region.name}" if parent else region.name
            if permissions.may_open_account(user, region):
                places.append(region)
    return places


def _accounts_page(request: HttpRequest, *, open_form=None, status: int = 200) -> HttpResponse:
    phone = request.POST.get("phone", "").strip() if "phone" in request.POST else ""
    rows = selectors.accounts_visible_to(request.user)
    return render(request, "credit/accounts.html", {
        "accounts": rows.order_by("-balance", "pk")[:100],
        "count": rows.count(),
        "open_form": open_form or OpenAccountForm(places=_places_for(request.user)),
        "phone": phone,
        "disputes": selectors.open_disputes_for(request.user)[:50],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """积分账户 — the accounts of the user's territory, by balance; look one up by phone; the
    holders' open disputes. The phone is posted, never put in the address: an address is written
    to the web server's access log and the browser's history, in full."""
    _desk(request)
    phone = request.POST.get("phone", "").strip() if request.method == "POST" else ""
    if phone:
        found = selectors.account_by_phone(request.user, phone)
        if found is not None:
            return redirect("credit:account", pk=found.pk)
        messages.info(request, _("No account with that phone number in your territory."))
    return _accounts_page(request)


@login_required
@require_POST
def open_account(request: HttpRequest) -> HttpResponse:
    """开户 — a resident (found or made by phone) gets an account at a place of the territory; a
    household account sits at the household's building or unit."""
    from wangge.residents.services import household_of, resident_for_report

    _desk(request)
    form = OpenAccountForm(request.POST, places=_places_for(request.user))
    if not form.is_valid():
        return _accounts_page(request, open_form=form, status=400)
    place = form.cleaned_data["region"]
    try:
        with transaction.atomic():
            resident = resident_for_report(name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                                           anonymous=False)
            if form.cleaned_data["for_household"]:  # 户: one account the family earns into together
                household = household_of(resident=resident, unit=place, room=form.cleaned_data["room"])
                account = actions.open_account(actor=request.user, region=place, household=household)
            else:
                account = actions.open_account(actor=request.user, region=place, resident=resident)
    except DomainError as exc:
        _error_into_form(form, exc)
        return _accounts_page(request, open_form=form, status=400)
    return redirect("credit:account", pk=account.pk)


def _error_into_form(form, error: DomainError) -> None:
    """Put an action's refusal into the form: on the field it names, else on the whole form."""
    field = next((f for f in error.fields if f in form.fields), None)
    form.add_error(field, str(error.message))


def _qr_data_uri(url: str) -> str:
    import base64
    from io import BytesIO

    import segno

    out = BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _account_page(request: HttpRequest, acc: CreditAccount, *, award_form=None, counter_form=None,
                  correct_failed: dict | None = None, resolve_failed: dict | None = None,
                  status: int = 200) -> HttpResponse:
    """The account page; after a refused form, that form again with what was typed and the error."""
    user = request.user
    rules = [r for r in selectors.awardable_rules(user) if permissions.may_award(user, r, acc)]
    items = selectors.store_of(acc.community_id).filter(merchant__isnull=True, stock__gte=1)
    entries = selectors.entries_of(acc, limit=200)
    corrected = set(LedgerEntry.objects.filter(account=acc, source="correction").values_list("source_id", flat=True))
    link = request.build_absolute_uri(reverse("credit:resident", args=[signing.token_for(acc.pk)]))
    if award_form is None and rules:
        award_form = AwardForm(rules=selectors.awardable_rules(user).filter(pk__in=[r.pk for r in rules]))
    if counter_form is None and items.exists() and any(permissions.may_run_counter(user, i) for i in items[:1]):
        counter_form = CounterForm(items=items)
    may_correct = permissions.may_correct(user, acc)
    return render(request, "credit/account.html", {
        "account": acc,
        "entries": [{"entry": e, "colour": ENTRY_COLOURS.get(e.kind, "grey"),
                     "correctable": e.kind in (EntryKind.EARN, EntryKind.SPEND) and str(e.pk) not in corrected}
                    for e in entries],
        "award_form": award_form,
        "counter_form": counter_form,
        "may_correct": may_correct,
        "correct_failed": correct_failed or {},
        "resident_link": link,
        "resident_qr": _qr_data_uri(link),
        "may_send_link": bool(selectors.holder_phones(acc)),
        "disputes": [{"dispute": d, "colour": DISPUTE_COLOURS.get(d.status, "grey")}
                     for d in selectors.disputes_of(acc)],
        "resolve_failed": resolve_failed or {},
        "leaderboard": selectors.leaderboard(acc.community_id, limit=10),
    }, status=status)


@login_required
@require_GET
def account(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: balance, entries, award, counter, corrections, disputes, the holder's link."""
    _desk(request)
    return _account_page(request, _account_or_404(request.user, pk))


@login_required
@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    _desk(request)
    acc = _account_or_404(request.user, pk)
    rules = selectors.awardable_rules(request.user)
    form = AwardForm(request.POST, rules=rules.filter(pk__in=[r.pk for r in rules
                                                           if permissions.may_award(request.user, r, acc)]))
    if not form.is_valid():
        return _account_page(request, acc, award_form=form, status=400)
    try:
        entry = actions.award_credit(actor=request.user, account=acc, rule=form.cleaned_data["rule"],
                                     quantity=form.cleaned_data["quantity"], note=form.cleaned_data["note"],
                                     request_key=form.cleaned_data["request_key"])
    except DomainError as exc:
        _error_into_form(form, exc)
        return _account_page(request, acc, award_form=form, status=exc.status_code)
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
    entry = LedgerEntry.objects.filter(pk=row_id(pk) or 0).select_related("account").first()
    if entry is None:
        raise Http404
    acc = _account_or_404(request.user, entry.account_id)
    form = CorrectForm(request.POST)
    error = None
    if not form.is_valid():
        error = _first_error(form)
    else:
        try:
            actions.correct_entry(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            error = str(exc.message)
    if error is not None:
        return _account_page(request, acc, correct_failed={
            "entry_id": entry.pk, "seq": entry.seq, "reason": request.POST.get("reason", "")[:200], "error": error},
            status=400)
    messages.success(request, _("The entry was reversed."))
    return redirect("credit:account", pk=acc.pk)


@login_required
@require_POST
def counter(request: HttpRequest, pk: int) -> HttpResponse:
    """柜台兑换 — hand an item to the account's holder at the counter."""
    _desk(request)
    acc = _account_or_404(request.user, pk)
    form = CounterForm(request.POST, items=selectors.store_of(acc.community_id).filter(merchant__isnull=True))
    if not form.is_valid():
        return _account_page(request, acc, counter_form=form, status=400)
    try:
        redemption = actions.redeem_at_counter(actor=request.user, account=acc, item=form.cleaned_data["item"],
                                               request_key=form.cleaned_data["request_key"])
    except DomainError as exc:
        _error_into_form(form, exc)
        return _account_page(request, acc, counter_form=form, status=exc.status_code)
    if redemption.replayed:
        messages.info(request, _("This redemption was already booked."))
    else:
        messages.success(request, _("Handed out: %(item)s (%(price)d credit).") % {
            "item": redemption.item.name, "price": redemption.price})
    return redirect("credit:account", pk=acc.pk)


@login_required
@require_POST
def send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """发送链接 — text the holder the link to their credit page."""
    _desk(request)
    acc = _account_or_404(request.user, pk)
    try:
        sent = actions.send_holder_link(actor=request.user, account=acc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The link was sent by text message to %(phones)s.") % {"phones": "、".join(sent)})
    return redirect(reverse("credit:account", args=[acc.pk]) + "#holder-link")


@login_required
@require_POST
def resolve_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """处理申诉 — correct the disputed entry, or reply that it stands."""
    _desk(request)
    dispute = CreditDispute.objects.filter(pk=row_id(pk) or 0).first()
    if dispute is None:
        raise Http404
    acc = _account_or_404(request.user, dispute.account_id)
    dispute.account = acc
    form = ResolveDisputeForm(request.POST)
    error = None
    if not form.is_valid():
        error = _first_error(form)
    else:
        try:
            dispute = actions.resolve_dispute(actor=request.user, dispute=dispute, reply=form.cleaned_data["reply"],
                                              correct=form.cleaned_data["outcome"] == "correct")
        except DomainError as exc:
            error = str(exc.message)
    if error is not None:
        return _account_page(request, acc, resolve_failed={
            "dispute_id": dispute.pk, "reply": request.POST.get("reply", "")[:200],
            "outcome": request.POST.get("outcome", ""), "error": error}, status=400)
    messages.success(request, _("The dispute is settled: %(outcome)s.") % {"outcome": dispute.get_status_display()})
    return redirect(reverse("credit:account", args=[acc.pk]) + "#disputes")


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

        content = write_xlsx([_("Month"), _("Community"), _("Earned"), _("Spent"), _("Expired"), _("Corrections"),
                              _("Net")],
                             [[r["month"], r["community"], r["earned"], r["spent"], r["expired"], r["corrected"],
                               r["net"]] for r in data["rows"]],
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
    return CreditAccount.objects.filter(pk=account_id).select_related(
        "resident", "household", "household__unit", "community", "region").first()


def _holder(acc: CreditAccount) -> Actor:
    """Who acts on the holder's page: the resident, or for a household its first member (the link
    is the household's; any member of it holds the account)."""
    residents = selectors.holder_residents(acc)
    return Actor.of_resident(residents[0] if residents else None)


def _bad_link(request: HttpRequest) -> HttpResponse:
    response = render(request, "credit/resident_bad_link.html", status=404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _resident_page(request: HttpRequest, acc: CreditAccount, token: str, *, dispute_failed: dict | None = None,
                   status: int = 200) -> HttpResponse:
    from django.utils import timezone

    codes = acc.codes.filter(used_at__isnull=True).select_related("item").order_by("-created_at")[:3]
    disputes = selectors.disputes_of(acc)
    open_entries = {d.entry_id for d in disputes if d.status == DisputeStatus.OPEN}
    entries = [{"entry": e, "disputed": e.pk in open_entries} for e in selectors.entries_of(acc, limit=50)]
    if dispute_failed:
        # A refusal is shown beside the entry's form; when that form is not on the page (the entry
        # was raised already — a double tap — or is not in the list), above the page instead.
        dispute_failed["beside_entry"] = any(row["entry"].pk == dispute_failed.get("entry_id") and not row["disputed"]
                                             for row in entries)
    response = render(request, "credit/resident.html", {
        "account": acc, "token": token, "is_household": acc.kind == AccountKind.HOUSEHOLD,
        "entries": entries,
        "items": [(item, max(0, item.price - acc.balance)) for item in selectors.store_of(acc.community_id)],
        "codes": [c for c in codes if c.expires_at > timezone.now()],
        "disputes": [{"dispute": d, "colour": DISPUTE_COLOURS.get(d.status, "grey")} for d in disputes],
        "dispute_failed": dispute_failed or {},
        "leaderboard": selectors.leaderboard(acc.community_id, limit=10),
    }, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token never leaves in a Referer to another site (same-origin keeps CSRF Origin checks working).
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_GET
def resident(request: HttpRequest, token: str) -> HttpResponse:
    """我的积分 — balance, history, disputes, the store and the leaderboard, on a phone (a
    resident's account, or a household's)."""
    if not Limit.named("credit_resident").hit(f"ip:{client_ip(request)}"):
        return render(request, "credit/resident_bad_link.html", {"too_many": True}, status=429)
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    return _resident_page(request, acc, token)


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
            code = actions.issue_redemption_code(account=acc, item=item, actor=_holder(acc))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your code for %(item)s: %(code)s — show it at the shop within ten minutes.")
                             % {"item": item.name, "code": code.code})
    return redirect("credit:resident", token=token)


@require_POST
def resident_dispute(request: HttpRequest, token: str) -> HttpResponse:
    """有异议 — the holder disputes one entry of their history; the community answers."""
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    form = DisputeForm(request.POST)
    entry = None
    if form.is_valid():
        entry_id = row_id(form.cleaned_data["entry"])
        entry = LedgerEntry.objects.filter(account=acc, pk=entry_id).first() if entry_id else None
        if entry is None:
            form.add_error("entry", _("Choose an entry of your history."))
    error = None
    if not form.is_valid():
        error = _first_error(form)
    elif not Limit.named("credit_dispute").hit(f"ip:{client_ip(request)}"):
        error = _("Too many requests; please try again in a few minutes.")
    else:
        try:
            actions.dispute_entry(actor=_holder(acc), account=acc, entry=entry, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            error = str(exc.message)
    if error is not None:
        return _resident_page(request, acc, token, status=400, dispute_failed={
            "entry_id": row_id(request.POST.get("entry")), "reason": request.POST.get("reason", "")[:300],
            "error": error})
    messages.success(request, _("Your objection was sent to the community. Its answer will appear here."))
    return redirect(reverse("credit:resident", args=[token]) + "#disputes")


@require_POST
def resident_opt_in(request: HttpRequest, token: str) -> HttpResponse:
    acc = _resident_account(request, token)
    if acc is None:
        return _bad_link(request)
    try:
        actions.set_leaderboard_opt_in(account=acc, opt_in=request.POST.get("opt_in") == "1", actor=_holder(acc))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit:resident", token=token)
