"""Admin: the codes of each community, with print and retire actions. Codes are made through the
action (``actions.create_qr_code``) and retired, never deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wangge.core.errors import DomainError
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from . import actions, selectors, sheets
from .models import QrCode


class CommunityFilter(admin.SimpleListFilter):
    title = _("community")
    parameter_name = "community"

    def lookups(self, request, model_admin):
        ids = selectors.codes_visible_to(request.user).values_list("community_id", flat=True).distinct()
        return [(c.pk, c.name) for c in Region.objects.filter(pk__in=ids, level=RegionLevel.COMMUNITY).order_by("path")]

    def queryset(self, request, queryset):
        return queryset.filter(community_id=self.value()) if self.value() else queryset


class QrCodeForm(forms.ModelForm):
    """Refuses here what the action would refuse, so the admin shows it beside the field."""

    class Meta:
        model = QrCode
        fields = ("region", "place_name", "label")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_name"].required = False  # blank: named after the place
        self.user = None

    def clean_region(self):
        region = self.cleaned_data["region"]
        try:
            actions.check_place(region)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        if self.user is not None and not selectors.may_manage(self.user, region):
            raise forms.ValidationError(_("You may not make QR codes for that place."))
        return region


@admin.register(QrCode)
class QrCodeAdmin(admin.ModelAdmin):
    list_display = ("reference", "place_name", "kind_label", "community", "label", "is_active", "created_at", "print_links")
    list_filter = (CommunityFilter, "is_active")
    search_fields = ("place_name", "label")
    list_select_related = ("region", "community")
    actions = ["print_a4", "print_a5", "retire"]
    form = QrCodeForm
    fields = ("region", "place_name", "label", "community", "is_active", "created_at", "created_by",
              "retired_at", "retired_by")
    readonly_fields = ("community", "is_active", "created_at", "created_by", "retired_at", "retired_by")
    raw_id_fields = ("region",)

    def get_queryset(self, request):
        return selectors.codes_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The place of a printed code never changes: make a new code instead.
        return (*self.readonly_fields, "region") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["place_name", "label"])
            return
        made = actions.create_qr_code(actor=request.user, region=obj.region, label=obj.label, place_name=obj.place_name)
        obj.pk, obj.community, obj.created_at = made.pk, made.community, made.created_at

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.user = request.user

        return WithUser

    @admin.display(description=_("kind"))
    def kind_label(self, obj: QrCode) -> str:
        return obj.get_kind_display()

    @admin.display(description=_("print"))
    def print_links(self, obj: QrCode):
        if not (obj.is_active and obj.region.is_active):
            return "—"
        url = reverse("intake_qrcodes:sheet", args=[obj.pk, "pdf"])
        svg = reverse("intake_qrcodes:sheet", args=[obj.pk, "svg"])
        return format_html('<a href="{}?size=A4">A4</a> · <a href="{}?size=A5">A5</a> · <a href="{}">SVG</a>', url, url, svg)

    def _print(self, request, queryset, size: str):
        rows = [c for c in queryset.order_by("community_id", "region__path", "pk") if c.is_active and c.region.is_active]
        if not rows:
            self.message_user(request, _("None of the selected codes is in use."), messages.WARNING)
            return None
        response = HttpResponse(sheets.sheets_pdf(rows, size=size), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="qrcodes-{size}.pdf"'
        return response

    @admin.action(description=_("Print the selected codes (A4 PDF)"))
    def print_a4(self, request, queryset):
        return self._print(request, queryset, "A4")

    @admin.action(description=_("Print the selected codes (A5 PDF)"))
    def print_a5(self, request, queryset):
        return self._print(request, queryset, "A5")

    @admin.action(description=_("Retire the selected codes"))
    def retire(self, request, queryset):
        done = 0
        for code in queryset.filter(is_active=True):
            try:
                actions.retire_qr_code(actor=request.user, code=code)
            except DomainError as exc:
                self.message_user(request, f"{code.reference}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d QR codes retired.") % {"n": done}, messages.SUCCESS)
