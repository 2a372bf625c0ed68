"""Platform rows that belong to no domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingReaction(models.Model):
    """待处理的事件响应 — a durable subscriber's reaction to a domain event, written in the same
    transaction as the event and deleted when the reaction has run (see ``core.events``)."""

    subscriber = models.CharField(_("subscriber"), max_length=200)
    event = models.JSONField(_("event"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    dead = models.BooleanField(_("gave up"), default=False)

    class Meta:
        verbose_name = _("pending event reaction")
        verbose_name_plural = _("pending event reactions")
        indexes = [models.Index(fields=["dead", "due_at"], name="core_reaction_due")]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event.get('name')} {self.event.get('key')}"


class PeriodicJobState(models.Model):
    """定时任务状态 — when a registered periodic job (``core.periodic``) last started and finished,
    recorded by the worker that ran it; read by the health check and the worker's watchdog."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    task_path = models.CharField(_("task"), max_length=300, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_succeeded = models.BooleanField(_("last run succeeded"), null=True, blank=True)
    last_worker = models.CharField(_("last worker"), max_length=64, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("periodic job state")
        verbose_name_plural = _("periodic job states")

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """后台进程心跳 — a running ``wangge_worker`` process. It refreshes ``seen_at`` every few
    seconds; one silent for ``WANGGE_WORKER_TIMEOUT`` seconds is dead, and the task it was running
    is failed and its periodic chain taken over by a live worker."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id


class FollowerMark(models.Model):
    """How far a follower has read a table (读取进度): every row with an id up to ``last_id`` has
    been handled, and so have the ids in ``done_above`` (handled past a gap that may still fill).
    See ``wangge.core.followers``."""

    name = models.CharField(_("follower"), max_length=100, unique=True)
    last_id = models.BigIntegerField(_("handled up to id"), default=0)
    done_above = models.JSONField(_("handled beyond a gap"), default=list, blank=True)
    # The gap just above ``last_id`` was first seen at this time (None: no gap waited for).
    gap_seen_at = models.DateTimeField(_("gap first seen"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("table follower")
        verbose_name_plural = _("table followers")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"
