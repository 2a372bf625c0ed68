"""Admin: the need classes and the resource library are edited here; chiefs, needs, services,
ratings and the published quarters are written by the actions and only viewed here."""

from django.contrib import admin

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin

from .models import (
    Award,
    Chief,
    ChiefEvaluation,
    FollowUp,
    Need,
    NeedClass,
    NeedEvent,
    PublishedScore,
    Questionnaire,
    Rating,
    RatingPeriod,
    Resource,
    ResourceContactView,
    SentimentEntry,
    ServiceRecord,
)


@admin.register(NeedClass)
class NeedClassAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(Resource)
class ResourceAdmin(ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ["name", "provider", "tier", "offers", "area", "capacity", "is_active"]
    list_filter = ["tier", "is_active"]
    search_fields = ["name", "provider", "offers"]
    filter_horizontal = ["classes"]
    raw_id_fields = ["area", "linked_by", "created_by"]
    # The contact is personal data: shown in full only on the logged staff page.
    exclude = ["contact_phone"]


class ViewOnly(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    pass


@admin.register(Chief)
class ChiefAdmin(ViewOnly):
    list_display = ["name", "kind", "region", "community", "selection_method", "compound_type", "is_party_member",
                    "term_start", "ended_at"]
    list_filter = ["kind", "selection_method", "compound_type", "is_party_member"]
    exclude = ["resident"]


@admin.register(Need)
class NeedAdmin(ViewOnly):
    list_display = ["reference", "need_class", "source", "scope", "status", "level", "community", "household_count",
                    "raised_at"]
    list_filter = ["status", "source", "scope", "level", "need_class"]
    exclude = ["resident"]


for model, fields in [
    (SentimentEntry, ["chief", "region", "visited_at"]),
    (Questionnaire, ["title", "community", "is_open", "created_at"]),
    (NeedEvent, ["need", "type", "actor", "at"]),
    (ResourceContactView, ["resource", "user", "at", "granted"]),
    (ServiceRecord, ["__str__", "resource", "chief", "tier", "need_class", "served_at"]),
    (Rating, ["service", "service_score", "chief_score", "fixed", "rated_at"]),
    (FollowUp, ["need", "case_number", "fixed", "score", "answered_at"]),
    (RatingPeriod, ["subdistrict", "year", "quarter", "status", "min_ratings", "published_at"]),
    (PublishedScore, ["period", "target", "name", "ratings", "score"]),
    (ChiefEvaluation, ["chief", "year", "resident_score", "total"]),
    (Award, ["year", "title", "chief", "resource", "reward"]),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ViewOnly,), {"list_display": fields}))
