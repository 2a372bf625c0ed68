"""Admin for the territory tree, grids and their polygons, departments and staff (管理后台)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from wangge.core.admin_mixins import LeafDeleteOnly
from wangge.core.treeforms import TreeMoveLabels

from . import admin_retire, boundaries, geo, imports, services
from .choices import DEPARTMENT_ROLES, REGION_LEVEL_ORDER, RegionLevel
from .models import ApiToken, Department, Region, RoleAssignment, User

admin.site.site_header = _("Wangge grid governance platform · administration")
admin.site.site_title = _("Wangge administration")
admin.site.index_title = _("Platform settings")

MAX_GEOJSON_BYTES = 2 * 1024 * 1024


def _geometry_of(value) -> dict:
    """The geometry dict of pasted or uploaded GeoJSON (a geometry, a Feature, or a
    FeatureCollection holding exactly one feature), checked by ``geo.parse_boundary``."""
    if isinstance(value, (bytes, str)):
        try:
            value = json.loads(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": exc}) from exc
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        if len(features) != 1:
            raise forms.ValidationError(
                _("The file holds %(n)d features; a grid needs exactly one polygon.") % {"n": len(features)}
            )
        value = features[0]
    try:
        geometry = geo.parse_boundary(value)
    except geo.InvalidGeometry as exc:
        raise forms.ValidationError(_("The boundary is not a usable polygon: %(error)s") % {"error": exc}) from exc
    return geo.as_geojson(geometry)


class RegionForm(TreeMoveLabels, movenodeform_factory(Region, exclude=("retired_at",))):
    """A territory node; a grid's polygon can be pasted as GeoJSON or uploaded as a file."""

    boundary = forms.CharField(
        label=_("Boundary (GeoJSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 90, "style": "font-family: monospace"}),
        help_text=_("Paste a GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude "
                    "(a Feature is accepted too), or upload a file below."),
    )
    boundary_file = forms.FileField(
        label=_("Upload a GeoJSON file"), required=False,
        help_text=_("A .geojson or .json file with one Polygon/MultiPolygon; replaces the text above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.boundary:
            self.initial["boundary"] = json.dumps(self.instance.boundary, ensure_ascii=False)

    def clean_boundary(self):
        text = (self.cleaned_data.get("boundary") or "").strip()
        return _geometry_of(text) if text else None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("boundary_file")
        if upload:
            if upload.size > MAX_GEOJSON_BYTES:
                self.add_error("boundary_file", _("The file is larger than 2 MB."))
            else:
                try:
                    cleaned["boundary"] = _geometry_of(upload.read())
                except forms.ValidationError as exc:
                    self.add_error("boundary_file", exc)
        level = cleaned.get("level")
        if level == RegionLevel.GRID:
            if not cleaned.get("boundary") and "boundary" not in self.errors and "boundary_file" not in self.errors:
                self.add_error("boundary", _("A grid needs its boundary polygon."))
            if not cleaned.get("grid_type"):
                self.add_error("grid_type", _("Choose the grid type (urban, rural or dedicated)."))
        elif cleaned.get("grid_type"):
            self.add_error("grid_type", _("Only grids have a grid type."))
        parent = cleaned.get("treebeard_ref_node")
        if parent is not None and level and cleaned.get("treebeard_position") == "sorted-sibling":
            parent = Region.objects.get_parent(parent)
        if level:
            if parent is None and level != RegionLevel.CITY:
                self.add_error("treebeard_ref_node", _("Only a city can be at the top of the tree."))
            elif parent is not None and REGION_LEVEL_ORDER.index(level) <= REGION_LEVEL_ORDER.index(parent.level):
                self.add_error(
                    "level", _("A %(level)s cannot sit under a %(parent)s.")
                    % {"level": RegionLevel(level).label, "parent": RegionLevel(parent.level).label},
                )
        self._check_retirement(cleaned, parent)
        self._check_overlaps(cleaned, parent)
        return cleaned

    def _check_retirement(self, cleaned, parent) -> None:
        """Retiring goes through the 撤销 action (it retires the sub-tree and says what it touches);
        a node is not in use under a retired one."""
        if not cleaned.get("is_active"):
            if self.instance.pk and self.instance.is_active:
                self.add_error("is_active", _("To retire this place, use the action “Retire the selected nodes” in "
                                              "the list: it retires everything under it too and shows what it affects."))
        elif parent is not None and not parent.is_active:
            self.add_error("is_active", _("%(parent)s has been retired: a place under it cannot be in use.")
                           % {"parent": parent.name})

    def _check_overlaps(self, cleaned, parent) -> None:
        """An active grid may not cover ground another active grid covers (``org.boundaries``)."""
        boundary = cleaned.get("boundary")
        if cleaned.get("level") != RegionLevel.GRID or not boundary or not cleaned.get("is_active") \
                or "boundary" in self.errors or "boundary_file" in self.errors:
            return
        verdict = boundaries.check_grid_boundary(geo.parse_boundary(boundary), grid_type=cleaned.get("grid_type"),
                                                 parent=parent, exclude_pk=self.instance.pk)
        field = "boundary_file" if cleaned.get("boundary_file") else "boundary"
        for message in verdict.refused:
            self.add_error(field, message)


class GridImportForm(forms.Form):
    """导入网格: a sub-district and its survey's GeoJSON file (``org.imports``)."""

    subdistrict = forms.ModelChoiceField(
        label=_("Sub-district"), queryset=Region.objects.filter(level=RegionLevel.SUBDISTRICT, is_active=True),
        help_text=_("The grids go under the communities named in each feature, in this sub-district unless the "
                    "feature names another (街道); a community not there yet is created."))
    file = forms.FileField(
        label=_("GeoJSON file of the grids"),
        help_text=_("A FeatureCollection, one Feature per grid (Polygon or MultiPolygon, WGS84 longitude/latitude) "
                    "with the properties 网格名称, 网格编码, 社区 (the community's name or code) and, optionally, "
                    "网格类型 (城市网格 / 农村网格 / 专属网格; 城市网格 when left out) and 别名与地址."))


@admin.register(Region)
class RegionAdmin(LeafDeleteOnly, TreeAdmin):
    form = RegionForm
    change_list_template = "admin/org/region/tree_change_list.html"
    list_display = ("name", "level", "grid_type", "code", "has_boundary", "is_active")
    list_filter = ("level", "grid_type", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("retired_at",)
    actions = ["retire"]
    fieldsets = (
        (None, {"fields": ("name", "code", "level", "grid_type", "is_active", "retired_at", "aliases")}),
        (_("Position in the tree"), {"fields": ("treebeard_position", "treebeard_ref_node")}),
        (_("Boundary"), {"fields": ("boundary", "boundary_file")}),
    )

    def get_urls(self):
        return [path("import-grids/", self.admin_site.admin_view(self.import_grids_view), name="org_region_import"),
                *super().get_urls()]

    def import_grids_view(self, request):
        """导入网格 — the survey's GeoJSON file, checked whole, imported all or nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GridImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = imports.import_grids(raw=form.cleaned_data["file"].read(),
                                              subdistrict=form.cleaned_data["subdistrict"], actor=request.user)
            except imports.GridImportError as exc:
                problems = exc.messages
            else:
                said = ngettext(
                    "%(n)d grid imported into %(communities)s.", "%(n)d grids imported into %(communities)s.",
                    len(result.grids)) % {"n": len(result.grids), "communities": "、".join(result.communities)}
                if result.new_communities:
                    said += ngettext(
                        "%(n)d community created: %(names)s.", "%(n)d communities created: %(names)s.",
                        len(result.new_communities)) % {
                        "n": len(result.new_communities),
                        "names": "、".join(f"{Region.objects.get_parent(c)} {c}" for c in result.new_communities)}
                self.message_user(request, said, messages.SUCCESS)
                return redirect("admin:org_region_changelist")
        return TemplateResponse(request, "admin/org/region/import_grids.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "problems": problems,
            "title": _("Import grids"),
        })

    @admin.display(boolean=True, description=_("polygon"))
    def has_boundary(self, obj: Region) -> bool:
        return bool(obj.boundary)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.level == RegionLevel.GRID and obj.boundary and obj.is_active:
            self._warn_overlaps(request, obj)

    def _warn_overlaps(self, request, grid: Region) -> None:
        """The overlaps the form lets through on purpose: a dedicated grid over an ordinary one
        (the smaller wins a lookup). Said, so that a mistake is seen."""
        verdict = boundaries.check_grid_boundary(geo.parse_boundary(grid.boundary), grid_type=grid.grid_type,
                                                 parent=Region.objects.get_parent(grid), exclude_pk=grid.pk)
        if verdict.allowed:
            messages.warning(request, _("This grid overlaps %(grids)s. A point in the overlap is given to the "
                                        "smaller grid.") % {"grids": "、".join(verdict.allowed[:10])})

    @admin.action(description=_("Retire the selected nodes (keep them for old cases)"), permissions=["change"])
    def retire(self, request, queryset):
        """撤销: a confirmation page that says what it touches, then the whole sub-tree is retired."""
        return admin_retire.retire(self, request, queryset)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "region", "phone", "staff_count", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("region",)

    @admin.display(description=_("staff"))
    def staff_count(self, obj: Department) -> int:
        return obj.role_assignments.filter(is_active=True).count()


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("role", "region", "department", "is_active")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in DEPARTMENT_ROLES and not cleaned.get("department"):
            self.add_error("department", _("A department officer belongs to a department."))
        elif role and role not in DEPARTMENT_ROLES and not cleaned.get("region"):
            self.add_error("region", _("This role needs a jurisdiction (a node of the territory)."))
        return cleaned


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The same active role twice in one submission (the database refuses the second; the
        form says so first, naming the row)."""
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("is_active") or not data.get("role"):
                continue
            # As the constraints key it: a department role by its department, any other by its region.
            department = getattr(data.get("department"), "pk", None)
            key = (data["role"], "department", department) if department else (
                data["role"], "region", getattr(data.get("region"), "pk", None))
            if key in seen:
                form.add_error(None, _("This person already holds this role there."))
            seen.add(key)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    formset = RoleAssignmentFormSet
    extra = 1
    autocomplete_fields = ("region", "department")


SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "display_name", "roles_held", "phone", "is_active", "is_staff")
    list_filter = ("roles__role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "display_name", "phone", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "phone", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("History"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    def get_fieldsets(self, request, obj=None):
        """Only a superuser grants superuser status, groups or single permissions: a 系统管理员
        works within the role groups (角色权限组), and cannot raise an account — their own
        included — above them."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return tuple((name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in SUPERUSER_ONLY_FIELDS)})
                     for name, opts in fieldsets)

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password, its access) is changed by a superuser only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("roles"))
    def roles_held(self, obj: User) -> str:
        return "、".join(sorted({a.get_role_display() for a in obj.roles.all() if a.is_active}))


class IssueTokenForm(forms.ModelForm):
    """签发接口令牌 for an account — typically the 12345 link's account: the administrator receives
    the key (shown once, on the next page) and puts it into the system that will use it."""

    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=services.MAX_TOKEN_DAYS,
                              initial=services.DEFAULT_TOKEN_DAYS,
                              help_text=_("At most %(max)d days. Its owner and the administrators are reminded "
                                          "14 and 3 days before it expires.") % {"max": services.MAX_TOKEN_DAYS})

    class Meta:
        model = ApiToken
        fields = ("user", "name")
        help_texts = {"name": _("What the token is for, e.g. “12345 hotline link”.")}

    def __init__(self, *args, actor: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError(_("This account is not active."))
        if user.is_superuser and not (self.actor and self.actor.is_superuser):
            # A token acts as its account: only a superuser gives one for a superuser's account.
            raise forms.ValidationError(_("Only a superuser may issue a token for a superuser's account."))
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """接口令牌: who holds which token, when it was last used; revoke from here, or issue one for an
    account (the 12345 link's): its key is shown once, on the page after issuing, and stored only
    hashed. Owners issue their own on the account page."""

    list_display = ("name", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "user__username", "user__display_name")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        class BoundIssueTokenForm(IssueTokenForm):
            def __init__(self, *args, **inner):
                super().__init__(*args, actor=request.user, **inner)

        kwargs["form"] = BoundIssueTokenForm
        return super().get_form(request, obj, **{**kwargs, "fields": ("user", "name", "days")})

    def get_fields(self, request, obj=None):
        return ("user", "name", "days") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the token service (it hashes the key and writes the security log)."""
        token, key = services.issue_api_token(user=form.cleaned_data["user"], name=form.cleaned_data["name"],
                                              days=form.cleaned_data["days"], actor=request.user)
        obj.pk, obj.key_hash, obj.created_at, obj.expires_at = token.pk, token.key_hash, token.created_at, \
            token.expires_at
        request._issued_api_key = key

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: not in a message (messages may sit in a cookie), on this page only."""
        return TemplateResponse(request, "admin/org/apitoken/issued.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "token": obj,
            "key": request._issued_api_key, "title": _("Token issued"),
        })

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        count = sum(1 for token in queryset.filter(revoked_at__isnull=True)
                    if services.revoke_api_token(token_id=token.pk, actor=request.user))
        self.message_user(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
                          % {"count": count}, messages.SUCCESS)
