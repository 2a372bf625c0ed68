"""我的账号 — the signed-in staff member's own account: their API tokens (list, issue, revoke).
And the page (or JSON) django-axes answers with when a sign-in is locked out."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from wangge.core.http import row_id
from wangge.org import services

DAY_CHOICES = [(30, gettext_lazy("30 days")), (90, gettext_lazy("90 days")), (180, gettext_lazy("180 days")),
               (365, gettext_lazy("1 year"))]


class NewTokenForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("API token", "Name"), max_length=100,
                           help_text=gettext_lazy("What will use it, e.g. “hotline system”."),
                           error_messages={"required": gettext_lazy("Please give the token a name.")})
    days = forms.TypedChoiceField(label=gettext_lazy("Valid for"), choices=DAY_CHOICES, coerce=int,
                                  initial=services.DEFAULT_TOKEN_DAYS)


@never_cache  # the page may hold a new key
@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Your tokens (name, created, expires, last used — never the key), a form for a new one whose
    key is shown on this response only, and a revoke button on each."""
    form = NewTokenForm()
    new_key = None
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                token_id = row_id(request.POST.get("token"))
                if token_id is None:
                    raise services.TokenNotFound(token_id)
                token = services.revoke_api_token(token_id=token_id, actor=request.user)
            except services.TokenNotFound:
                messages.error(request, _("There is no such token."))
            else:
                messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
            return redirect("web:account")
        form = NewTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_key = services.issue_api_token(user=request.user, name=form.cleaned_data["name"],
                                                           days=form.cleaned_data["days"])
            except services.TokenError as exc:
                form.add_error(None, str(exc.message))
            else:
                form = NewTokenForm()
        if form.errors:
            status = 400
    return render(request, "web/account.html", {
        "tokens": request.user.api_tokens.order_by("-created_at", "-pk"),
        "form": form,
        "new_key": new_key,
    }, status=status)


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer (``AXES_LOCKOUT_CALLABLE``) to a sign-in refused after too many failures:
    a page in the user's language, or the API's JSON error for the token endpoint."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0
    if minutes:
        message = ngettext(
            "Too many failed sign-in attempts. Signing in to this account, or from this network, is paused "
            "for %(minutes)d minute. An administrator can lift the lock sooner.",
            "Too many failed sign-in attempts. Signing in to this account, or from this network, is paused "
            "for %(minutes)d minutes. An administrator can lift the lock sooner.",
            minutes) % {"minutes": minutes}
    else:
        message = _("Too many failed sign-in attempts. Signing in to this account, or from this network, "
                    "is locked until an administrator lifts the lock.")
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}, "codes": {}}},
                                status=429)
    else:
        response = render(request, "web/lockout.html", {"message": message}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
