"""How a notice names a deadline: the platform's local time (Asia/Shanghai) to the minute, with what
the deadline is for (受理 / 派单 / 办结时限), marked provisional when that year's working-day calendar
is not loaded (the Monday–Friday rule set it). The texts render in the office language when
``office_text`` puts them in a notice."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from ..models import Case
from ..sla import LOCAL_TZ


def local_minute(at: dt.datetime) -> str:
    """``at`` as a notice writes it: Asia/Shanghai time, whatever time zone is active."""
    return timezone.localtime(at, LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _deadline(stage: str, at: dt.datetime, provisional: bool) -> str:
    text = f"{Case._meta.get_field(f'{stage}_due_at').verbose_name} {local_minute(at)}"
    if provisional:
        return gettext("%(due)s (provisional: that year's working-day calendar is not loaded)") % {"due": text}
    return text


_lazy_deadline = lazy(_deadline, str)


def deadline(case: Case, stage: str | None = None, at: dt.datetime | None = None, provisional: bool | None = None):
    """"resolve by 2025-09-30 17:00" (办结时限 2025-09-30 17:00) for ``case``: its current stage's
    deadline unless another ``stage`` (and a time ``at`` other than the case's) is named."""
    stage = stage or case.current_stage
    at = at or getattr(case, f"{stage}_due_at")
    return _lazy_deadline(stage, at, case.deadline_provisional if provisional is None else provisional)
