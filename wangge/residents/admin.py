"""Admin for residents, households and — read only — the access log.

Residents' names and phones are shown masked only, in the list and on the page: the admin is not
a way around ``reveal_resident`` and its log. Search is by id only: a search by phone would tell
anyone who types a number whether that person ever called the office (a phone oracle). Residents
are created by intake and erased by the ``anonymise`` action (the PIPL service), never added,
edited or deleted by hand — deleting would take cases' reporters with it.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Q, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin
from wangge.core.errors import DomainError

from .choices import DataRequestKind, DataRequestStatus
from .masking import mask_name, mask_phone
from .models import Household, PersonalDataRequest, Resident, ResidentAccessLog, SelfAccessLog
from .personal_data import ANSWER_DAYS, answer_data_request
from .services import anonymise_resident


class IdSearchMixin:
    """Search by exact id, nothing else."""

    search_help_text = _("Search by resident id.")

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip().lstrip("#")
        if not term:
            return queryset, False
        if not term.isdigit():
            return queryset.none(), False
        return queryset.filter(pk=int(term)), False


@admin.register(Resident)
class ResidentAdmin(IdSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "masked_name", "masked_phone", "phone_verified", "household_ref", "created_at",
                    "last_seen_at", "anonymised_at")
    list_display_links = ("id", "masked_name")
    list_filter = (("anonymised_at", admin.EmptyFieldListFilter), ("phone_verified_at", admin.EmptyFieldListFilter))
    search_fields = ("id",)  # turns the search box on; get_search_results matches the id only
    fields = readonly_fields = ("id", "masked_name", "masked_phone", "phone_verified", "wechat_count", "household_ref",
                                "created_at", "last_seen_at", "anonymised_at", "anonymised_reason", "anonymised_by",
                                "merged_into", "access_log_link")
    actions = ["anonymise"]

    def lookup_allowed(self, lookup, value, request=None):
        # The list's own filters only: Django would also take ?phone=… or ?name__startswith=… on
        # the model's own fields — a phone oracle behind the masks.
        return (lookup.split("__")[0] in ("anonymised_at", "phone_verified_at")
                and super().lookup_allowed(lookup, value, request))

    @admin.display(description=pgettext_lazy("person", "name"))
    def masked_name(self, obj: Resident) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Resident) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("phone verified"), boolean=True)
    def phone_verified(self, obj: Resident) -> bool:
        return obj.phone_verified_at is not None

    @admin.display(description=_("household"))
    def household_ref(self, obj: Resident) -> str:
        # The number only: unit and room together are the resident's address.
        return f"#{obj.household_id}" if obj.household_id else ""

    @admin.display(description=_("WeChat identities"))
    def wechat_count(self, obj: Resident) -> int:
        return obj.wechat_ids.count()

    @admin.display(description=_("who saw their data"))
    def access_log_link(self, obj: Resident) -> str:
        # PIPL art. 45: the person may ask who saw their data; the officer answers from here.
        count = obj.access_log.count()
        if not count:
            return _("nobody yet")
        url = reverse("admin:residents_residentaccesslog_changelist") + "?" + urlencode({"q": f"#{obj.pk}"})
        return format_html('<a href="{}">{}</a>', url, ngettext(
            "%(count)d view or attempt", "%(count)d views or attempts", count) % {"count": count})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_anonymise_permission(self, request) -> bool:
        return request.user.has_perm("residents.anonymise_resident")

    @admin.action(description=_("Anonymise the selected residents (erase their personal data)"),
                  permissions=["anonymise"])
    def anonymise(self, request, queryset):
        done, refused = 0, []
        for resident in queryset.filter(anonymised_at__isnull=True).order_by("pk"):
            try:
                anonymise_resident(resident=resident, actor=request.user, reason=str(_("anonymised in the admin")))
            except DomainError as exc:
                refused.append(f"#{resident.pk}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, ngettext("%(count)d resident anonymised.", "%(count)d residents anonymised.",
                                                done) % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


class RecentStaffFilter(admin.SimpleListFilter):
    """查看人 — a data-access log filtered by the staff member who looked (``?user=<id>``). The list
    offers those who looked in the last ``RECENT_DAYS``: a read of the log by its time index, not a
    DISTINCT over years of rows. Anyone else is found by the search box (username or name)."""

    title = _("staff member")
    parameter_name = "user"
    RECENT_DAYS = 90

    def lookups(self, request, model_admin):
        since = timezone.now() - dt.timedelta(days=self.RECENT_DAYS)
        ids = set(model_admin.model.objects.filter(accessed_at__gte=since).order_by()
                  .values_list("user_id", flat=True).distinct())
        if (self.value() or "").isdigit():
            ids.add(int(self.value()))
        users = get_user_model().objects.filter(pk__in=ids).order_by("username")
        return [(str(u.pk), u.username if str(u) == u.username else f"{u} · {u.username}") for u in users]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(user_id=int(self.value()))


def staff_matching(term: str):
    """The accounts whose username or name holds ``term`` (a small table: matched first, so that
    the log is then read by its user index)."""
    return get_user_model().objects.filter(
        Q(username__icontains=term) | Q(display_name__icontains=term)
        | Q(first_name__icontains=term) | Q(last_name__icontains=term)).values("pk")


# What callers write as the purpose of a resident's full view. The case's reporter view writes
# "case <number>" (cases.actions.privacy) and a need's contact view "neighbourhood:need:<id>"; a
# case number has the cases' own form (cases.models.case.CASE_NUMBER_RE — residents sits below
# cases and does not import it).
CASE_PURPOSE = "case "
NEED_PURPOSE = "neighbourhood:need:"
# The outbox admin's 显示完整收件人 writes "notifications:outbox:<message id>" (notifications.admin).
OUTBOX_PURPOSE = "notifications:outbox:"
OUTBOX_VIEW_PERMISSION = "notifications.view_outboundmessage"
CASE_NUMBER = re.compile(r"^[A-Z]{2}\d{8}-\d{5}$")
RESIDENT_REF = re.compile(r"^#\d{1,18}$")  # a resident as the admin shows one: #123


class PurposeKindFilter(admin.SimpleListFilter):
    """用途 by kind — never one entry per case number."""

    title = _("purpose")
    parameter_name = "purpose_kind"

    def lookups(self, request, model_admin):
        return [("case", _("Case reporter")), ("need", _("Resident need")), ("outbox", _("Outbox message")),
                ("other", _("Other"))]

    def queryset(self, request, queryset):
        if self.value() == "case":
            return queryset.filter(purpose__startswith=CASE_PURPOSE)
        if self.value() == "need":
            return queryset.filter(purpose__startswith=NEED_PURPOSE)
        if self.value() == "outbox":
            return queryset.filter(purpose__startswith=OUTBOX_PURPOSE)
        if self.value() == "other":
            return queryset.exclude(purpose__startswith=CASE_PURPOSE).exclude(purpose__startswith=NEED_PURPOSE) \
                .exclude(purpose__startswith=OUTBOX_PURPOSE)
        return queryset


@admin.register(ResidentAccessLog)
class ResidentAccessLogAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """居民信息查看日志 — who saw a resident's full name and phone (or asked and was refused), when,
    for what. The resident is shown masked: the log is no way around the masks."""

    list_display = ("accessed_at", "user", "resident_masked", "purpose_read", "granted", "ip_address")
    list_filter = (RecentStaffFilter, PurposeKindFilter, "granted", ("accessed_at", admin.DateFieldListFilter))
    show_facets = admin.ShowFacets.NEVER  # a count per filter option over years of rows
    search_fields = ("purpose",)  # turns the search box on; get_search_results decides what matches
    search_help_text = _("Search by resident (#id), by case number, or by the staff member's username or name.")
    date_hierarchy = "accessed_at"
    list_select_related = ("user", "resident")
    fields = readonly_fields = ("accessed_at", "user", "resident_masked", "purpose_read", "granted", "ip_address")
    show_full_result_count = False

    def get_queryset(self, request):
        # Whether this viewer may open the outbox message a purpose names (its link), carried on
        # each row: the list and the page both read rows through here, and the column has no request.
        may_open = request.user.has_perm(OUTBOX_VIEW_PERMISSION)
        return super().get_queryset(request).annotate(may_open_outbox=Value(may_open, output_field=BooleanField()))

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        if CASE_NUMBER.match(term.upper()):
            return queryset.filter(purpose=CASE_PURPOSE + term.upper()), False
        if RESIDENT_REF.match(term):
            return queryset.filter(resident_id=int(term.lstrip("#"))), False
        return queryset.filter(user__in=staff_matching(term)), False

    @admin.display(description=_("resident"))
    def resident_masked(self, obj: ResidentAccessLog) -> str:
        resident = obj.resident
        if resident.anonymised_at:
            return _("#%(id)s (anonymised)") % {"id": resident.pk}
        return " ".join(part for part in (f"#{resident.pk}", mask_name(resident.name), mask_phone(resident.phone))
                        if part)

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_read(self, obj: ResidentAccessLog) -> str:
        if obj.purpose.startswith(CASE_PURPOSE):
            return _("Case %(number)s") % {"number": obj.purpose[len(CASE_PURPOSE):]}
        if obj.purpose.startswith(NEED_PURPOSE):
            return _("Resident need #%(id)s") % {"id": obj.purpose[len(NEED_PURPOSE):]}
        if obj.purpose.startswith(OUTBOX_PURPOSE) and obj.purpose[len(OUTBOX_PURPOSE):].isdigit():
            message_id = obj.purpose[len(OUTBOX_PURPOSE):]
            label = _("Outbox message #%(id)s") % {"id": message_id}
            if getattr(obj, "may_open_outbox", False):
                return format_html('<a href="{}">{}</a>', reverse("admin:notifications_outboundmessage_change",
                                                                  args=[message_id]), label)
            return label
        return obj.purpose


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("id", "unit", "room", "created_at")
    raw_id_fields = ("unit",)
    search_fields = ("room", "unit__name")
    list_select_related = ("unit",)


class DataRequestAnswerForm(forms.ModelForm):
    """答复 — the officer's answer to a pending request: done or refused, and the words the resident
    reads (by SMS, shortened, and whole on their page)."""

    outcome = forms.ChoiceField(
        label=_("answer"), choices=[("", "---------"), (DataRequestStatus.DONE, DataRequestStatus.DONE.label),
                                    (DataRequestStatus.REFUSED, DataRequestStatus.REFUSED.label)],
        help_text=_("For a deletion, “Done” erases the resident's personal data now (it is refused, and the "
                    "resident told why, while they still have open business)."))
    answer = forms.CharField(label=_("reply to the resident"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=1000, required=False,
                             help_text=_("Sent to the resident by text message (the first 60 characters) and "
                                         "shown on their page."))

    class Meta:
        model = PersonalDataRequest
        fields: list[str] = []

    def clean(self):
        data = super().clean()
        if data.get("outcome") == DataRequestStatus.REFUSED and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Tell the resident why the request is refused."))
        return data


@admin.register(PersonalDataRequest)
class PersonalDataRequestAdmin(ListFilterLookupsOnly, admin.ModelAdmin):
    """个人信息权利请求 — residents' correction and deletion requests (PIPL art. 46, 47), answered
    here; the answer goes out by SMS. A deletion is carried out by ``anonymise_resident`` only."""

    list_display = ("reference", "kind", "status", "resident_ref", "created_at", "answer_by", "handled_by")
    list_filter = ("status", "kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("resident", "handled_by")
    date_hierarchy = "created_at"
    ordering = ("status", "created_at")
    actions = ["carry_out_deletions"]
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == DataRequestStatus.PENDING:
            kwargs["form"] = DataRequestAnswerForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = ["reference", "resident_ref", "kind", "details", "created_at", "answer_by"]
        if obj is not None and obj.status == DataRequestStatus.PENDING:
            return [*fields, "outcome", "answer"]
        return [*fields, "status", "reply", "handled_at", "handled_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["reference", "resident_ref", "kind", "details", "created_at", "answer_by", "status", "reply",
                "handled_at", "handled_by"]

    def has_add_permission(self, request):
        return False  # residents make requests on their page

    def has_delete_permission(self, request, obj=None):
        return False  # the office's record of the request and its answer

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("number"), ordering="pk")
    def reference(self, obj: PersonalDataRequest) -> str:
        return f"SQ{obj.pk:06d}"

    @admin.display(description=_("resident"))
    def resident_ref(self, obj: PersonalDataRequest) -> str:
        resident = obj.resident
        url = reverse("admin:residents_resident_change", args=[resident.pk])
        label = (_("#%(id)s (anonymised)") % {"id": resident.pk} if resident.anonymised_at
                 else " ".join(p for p in (f"#{resident.pk}", mask_name(resident.name), mask_phone(resident.phone)) if p))
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("answer due by"))
    def answer_by(self, obj: PersonalDataRequest):
        return timezone.localtime(obj.created_at + dt.timedelta(days=ANSWER_DAYS)).date()

    def has_anonymise_permission(self, request) -> bool:
        return request.user.has_perm("residents.anonymise_resident")

    def save_model(self, request, obj, form, change):
        outcome = form.cleaned_data.get("outcome")
        if not outcome:
            return
        self._answer(request, obj, outcome, form.cleaned_data.get("answer", ""))

    def _answer(self, request, obj, outcome, reply) -> bool:
        if (obj.kind == DataRequestKind.DELETE and outcome == DataRequestStatus.DONE
                and not self.has_anonymise_permission(request)):
            self.message_user(request, _("You may not erase residents' personal data; the request is still pending."),
                              messages.ERROR)
            return False
        try:
            answer = answer_data_request(data_request=obj, actor=request.user, outcome=outcome, reply=reply)
        except DomainError as exc:
            self.message_user(request, f"SQ{obj.pk:06d}: {exc.message}", messages.ERROR)
            return False
        if answer.open_business:
            self.message_user(request, _(
                "SQ%(id)06d: not deleted — the resident still has open business (%(reasons)s). The request is "
                "answered as refused and the resident is told why by text message.") % {
                "id": obj.pk, "reasons": "; ".join(answer.open_business)}, messages.WARNING)
        else:
            self.message_user(request, _("SQ%(id)06d answered; the resident is told by text message.")
                              % {"id": obj.pk}, messages.SUCCESS)
        return True

    def response_change(self, request, obj):
        # The messages above say what happened; Django's own "changed successfully" would not.
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect(reverse("admin:residents_personaldatarequest_changelist"))

    def log_change(self, request, obj, message):
        return None  # the request row itself records who answered and when

    @admin.action(description=_("Carry out the selected deletion requests (erase the residents' personal data)"),
                  permissions=["anonymise"])
    def carry_out_deletions(self, request, queryset):
        rows = queryset.filter(kind=DataRequestKind.DELETE, status=DataRequestStatus.PENDING).order_by("pk")
        if not rows:
            self.message_user(request, _("None of the selected requests is a pending deletion request."),
                              messages.WARNING)
        with translation.override(settings.LANGUAGE_CODE):  # the resident reads it, not the officer
            reply = str(_("Your personal data has been deleted."))
        for row in rows:
            self._answer(request, row, DataRequestStatus.DONE, reply)


@admin.register(SelfAccessLog)
class SelfAccessLogAdmin(ListFilterLookupsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """本人查阅记录 — when residents opened their own data on the portal."""

    list_display = ("accessed_at", "resident_ref", "ip_address")
    list_filter = (("accessed_at", admin.DateFieldListFilter),)
    date_hierarchy = "accessed_at"
    show_full_result_count = False

    @admin.display(description=_("resident"))
    def resident_ref(self, obj: SelfAccessLog) -> str:
        return f"#{obj.resident_id}"
