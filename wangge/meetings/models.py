"""协商议事 — consultation and deliberation meetings, their agenda, decisions and minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.residents.masking import mask_name, mask_phone

from .choices import (
    AmendmentStatus,
    Decision,
    MeetingEventType,
    MeetingKind,
    MeetingLevel,
    MeetingStatus,
    MinutesKind,
    MinutesStatus,
    ParticipantKind,
    Recurrence,
    RepresentativeRole,
    TopicStatus,
)


class MeetingSchedule(models.Model):
    """例会安排 — a recurring meeting ("every two months", "mid-month every month"); the periodic
    job creates each next meeting ahead of time and reminds its convener."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=MeetingLevel.choices)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    convener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("convener"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=20, choices=Recurrence.choices)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=15)
    time_of_day = models.TimeField(_("time of day"), default="09:30")
    next_date = models.DateField(_("next meeting on"))
    lead_days = models.PositiveSmallIntegerField(_("created this many days ahead"), default=14)
    is_active = models.BooleanField(pgettext_lazy("meetings", "active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("meeting schedule")
        verbose_name_plural = _("meeting schedules")
        ordering = ["next_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(day_of_month__gte=1, day_of_month__lte=28),
                                   name="meetings_schedule_day_1_28"),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """协商会 — one meeting: kind, level and territory node, convener, date, place, participants."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=MeetingLevel.choices)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    # The community the meeting belongs to (null for a sub-district meeting): the public page.
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("community"))
    schedule = models.ForeignKey(MeetingSchedule, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="meetings", verbose_name=_("schedule"))
    convener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("convener"))
    scheduled_at = models.DateTimeField(_("date and time"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    agenda_published_at = models.DateTimeField(_("agenda published at"), null=True, blank=True)
    held_at = models.DateTimeField(pgettext_lazy("meetings", "closed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "agenda_published"]) | Q(held_at__isnull=False),
                name="meetings_meeting_held_at_when_held",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        return MeetingStatus(self.status).colour


class Participant(models.Model):
    """参会方 — a member of staff, a department, or a named outside representative."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=16, choices=ParticipantKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("staff member"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    role = models.CharField(pgettext_lazy("meetings", "role"), max_length=20, choices=RepresentativeRole.choices, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="staff", user__isnull=False, department__isnull=True)
                           | Q(kind="department", department__isnull=False, user__isnull=True)
                           | (Q(kind="representative", user__isnull=True, department__isnull=True) & ~Q(name=""))),
                name="meetings_participant_one_kind",
            ),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="meetings_participant_user_once"),
            models.UniqueConstraint(fields=["meeting", "department"], condition=Q(department__isnull=False),
                                    name="meetings_participant_department_once"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name shown on pages: an outside representative's name masked (张**)."""
        if self.user_id:
            return str(self.user)
        if self.department_id:
            return str(self.department)
        label = RepresentativeRole(self.role).label if self.role else ""
        return " ".join(str(x) for x in (label, self.organisation, mask_name(self.name)) if x)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Topic(models.Model):
    """议题 — something raised for a meeting by a resident or a member of staff (need not be a
    case); vetted by the convener (or the grid's party branch) before it is put on an agenda."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(pgettext_lazy("meetings", "description"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=pgettext_lazy("meetings", "case"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=pgettext_lazy("meetings", "raised by"))
    raised_by_resident = models.BooleanField(_("raised by a resident"), default=False)
    is_dispute = models.BooleanField(_("dispute (mediation)"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    vetted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("vetted by"))
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)
    vet_note = models.CharField(_("vetting note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="proposed") | Q(vetted_at__isnull=False),
                                   name="meetings_topic_vetted_at_when_vetted"),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """议程事项 — one item of a meeting: a case from the ledger or a vetted topic, its attendance,
    discussion notes and decision."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=120)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=pgettext_lazy("meetings", "case"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="items",
                              verbose_name=_("topic"))
    carried_from = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="carried_to", verbose_name=_("carried over from"))
    is_dispute = models.BooleanField(_("dispute (mediation)"), default=False)
    # Attendance: who came for this item, which departments reported in.
    attendees = models.ManyToManyField(Participant, blank=True, related_name="+", verbose_name=_("present"))
    departments_reported = models.ManyToManyField("org.Department", blank=True, related_name="+",
                                                  verbose_name=_("departments reported in"))
    notes = models.TextField(_("discussion notes"), blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True, default="")
    outcome = models.TextField(_("outcome in plain words"), blank=True)
    lead_department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=pgettext_lazy("meetings", "lead department"))
    co_departments = models.ManyToManyField("org.Department", blank=True, related_name="+",
                                            verbose_name=_("co-handlers"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    escalated = models.BooleanField(pgettext_lazy("meetings", "escalated"), default=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], condition=Q(case__isnull=False),
                                    name="meetings_item_case_once_per_meeting"),
            models.CheckConstraint(condition=Q(decision="") | Q(decided_at__isnull=False),
                                   name="meetings_item_decided_at_when_decided"),
            models.CheckConstraint(condition=~Q(decision="plan") | Q(lead_department__isnull=False,
                                                                     deadline__isnull=False),
                                   name="meetings_item_plan_has_lead_and_deadline"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def decision_colour(self) -> str:
        return Decision(self.decision).colour


class MeetingEvent(models.Model):
    """会议记录 — the append-only log of a meeting: every action writes one row."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=24, choices=MeetingEventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(pgettext_lazy("meetings", "note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.type}"


class Minutes(models.Model):
    """纪要 — a meeting's minutes (draft → final, signed off by the convener) or an addendum that
    corrects final minutes. Final minutes never change: ``items`` is the snapshot of the items and
    their decisions taken when they were finalised."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    kind = models.CharField(_("kind"), max_length=16, choices=MinutesKind.choices, default=MinutesKind.MINUTES)
    amends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="addenda",
                               verbose_name=_("addendum to"))
    status = models.CharField(_("status"), max_length=8, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    items = models.JSONField(_("items and decisions"), default=list, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=pgettext_lazy("meetings", "signed off by"))
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("meeting minutes")
        verbose_name_plural = _("meeting minutes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting"], condition=Q(kind="minutes"), name="meetings_one_minutes"),
            models.CheckConstraint(
                condition=(Q(status="draft", finalised_at__isnull=True)
                           | Q(status="final", finalised_at__isnull=False, signed_by__isnull=False)),
                name="meetings_minutes_final_signed",
            ),
            models.CheckConstraint(condition=Q(kind="minutes", amends__isnull=True)
                                   | Q(kind="addendum", amends__isnull=False),
                                   name="meetings_addendum_links_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # Final minutes are immutable: a correction is a new, linked addendum.
        if self.pk and type(self).objects.filter(pk=self.pk, status=MinutesStatus.FINAL).exists():
            from .errors import MinutesFinal

            raise MinutesFinal()
        super().save(*args, **kwargs)


class Amendment(models.Model):
    """修改意见 — a participant's proposed change to draft minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=AmendmentStatus.choices,
                              default=AmendmentStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
