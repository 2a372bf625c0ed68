"""Admin: meetings and their records are read here; they are written by the actions (全程留痕).
Schedules may be edited (switched off, moved) by an administrator."""

from __future__ import annotations

from django.contrib import admin

from wangge.core.admin_mixins import ListFilterLookupsOnly, ReadOnlyAdminMixin

from .models import (
    AgendaItem,
    Amendment,
    Meeting,
    MeetingEvent,
    MeetingSchedule,
    Minutes,
    Participant,
    Topic,
)


@admin.register(MeetingSchedule)
class MeetingScheduleAdmin(ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "level", "region", "recurrence", "next_date", "convener", "is_active")
    list_filter = ("kind", "recurrence", "is_active")
    raw_id_fields = ("region", "convener")


class ItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgendaItem
    fields = ("position", "title", "case", "decision", "lead_department", "deadline", "escalated")
    readonly_fields = fields
    extra = 0


class ParticipantInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Participant
    fields = ("kind", "user", "department", "display_name", "masked_phone")
    readonly_fields = fields
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("title", "kind", "level", "region", "scheduled_at", "status", "convener")
    list_filter = ("kind", "level", "status")
    date_hierarchy = "scheduled_at"
    search_fields = ("title",)
    inlines = [ParticipantInline, ItemInline]


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("title", "region", "status", "raised_by_resident", "is_dispute", "created_at")
    list_filter = ("status", "is_dispute")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("meeting", "kind", "status", "signed_by", "finalised_at")
    list_filter = ("kind", "status")


@admin.register(MeetingEvent)
class MeetingEventAdmin(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("meeting", "type", "actor", "created_at")
    list_filter = ("type",)


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdminMixin, ListFilterLookupsOnly, admin.ModelAdmin):
    list_display = ("minutes", "proposed_by", "status", "created_at")
    list_filter = ("status",)
