"""Helpers for the core tests: cases brought to any status through the real actions, and a
snapshot of everything an action could write (to prove a refused action wrote nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseAssignment, CaseAttachment, CaseEvent, ExtensionRequest, ReporterAccessLog
from wangge.cases.sla import LOCAL_TZ
from wangge.notifications.models import Notification
from wangge.testing import case_in_state, file_case, make_category


def joint_case(world, status: str, *, category=None, **extra) -> Case:
    """A case brought to ``status`` with joint handling: lead 城管, co-handler 环卫 (吹哨报到)."""
    if status == CaseStatus.MERGED:
        category = category or make_category(department=world.departments["chengguan"])
        case, other = file_case(world, category=category, **extra), file_case(world, category=category)
        return actions.merge_case(case=case, into=other, actor=world.users["clerk"], note="同一摊贩")
    return case_in_state(world, status, category=category,
                         co_handlers=[Target(department=world.departments["huanwei"])], **extra)


def written_state(case: Case) -> dict:
    """Everything about ``case`` an action may write: its row and every related row."""
    row = model_to_dict(Case.objects.get(pk=case.pk))
    row.pop("updated_at", None)
    return {
        "case": row,
        "events": list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        "assignments": list(CaseAssignment.objects.filter(case=case).values()),
        "extensions": list(ExtensionRequest.objects.filter(case=case).values()),
        "attachments": CaseAttachment.objects.filter(case=case).count(),
        "notifications": Notification.objects.count(),
        "pii_log": ReporterAccessLog.objects.count(),
        "cases": Case.objects.count(),
    }


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-created_at", "-pk").first()


class Clock:
    """A controllable ``timezone.now`` (see the ``clock`` fixture)."""

    def __init__(self, now):
        self.now = now

    def set(self, value) -> None:
        self.now = value

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    """Freeze ``django.utils.timezone.now`` (which every action reads) and move it by hand."""
    c = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def local(text: str) -> dt.datetime:
    """An aware datetime from 'YYYY-MM-DD HH:MM[:SS]' in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)
