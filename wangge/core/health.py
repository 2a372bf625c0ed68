"""Health (运行状况): is the database there, does the cache work, are the workers alive, did each
periodic job run lately ("cases.sla_sweep last ran 12 s ago")?

``run_checks()`` is shared by ``manage.py health`` (exit status 1 when something fails) and
``GET /healthz`` (JSON, 200 or 503, no login, nothing about people: names of checks and jobs,
seconds and counts). ``/healthz?scope=web`` checks only what a web process needs (database and
cache) — for a load balancer, which should not take the site down because the worker is late;
the full check is for monitoring.

A periodic job is late when it has not started or finished for its interval plus
``WANGGE_WORKER_TIMEOUT`` (the time a live worker takes to take over from a dead one) plus
``WANGGE_HEALTH_GRACE`` seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import periodic

DEFAULT_INTERVAL = 60  # for a job that does not say


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    data: dict = field(default_factory=dict)


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_json(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "checks": [asdict(c) for c in self.checks]}


def grace_seconds() -> float:
    return float(getattr(settings, "WANGGE_HEALTH_GRACE", periodic.DEFAULT_GRACE_SECONDS))


def late_after(job: periodic.PeriodicJob) -> float:
    """Seconds without a run after which ``job`` counts as late."""
    return float(job.interval() or DEFAULT_INTERVAL) + periodic.worker_timeout() + grace_seconds()


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, _("The database answers."))
    except Exception as exc:  # a health check reports, it does not raise
        return Check("database", False, _("The database does not answer (%(error)s).") % {"error": type(exc).__name__})


def check_cache() -> Check:
    key = "wangge:healthz"
    try:
        cache.set(key, "1", 30)
        if cache.get(key) != "1":
            return Check("cache", False, _("The cache does not keep what is written to it."))
        return Check("cache", True, _("The cache works."))
    except Exception as exc:
        return Check("cache", False, _("The cache fails (%(error)s).") % {"error": type(exc).__name__})


def check_workers(*, now: dt.datetime | None = None) -> Check:
    try:
        live = periodic.live_worker_count(now=now)
    except Exception as exc:
        return Check("workers", False, _("Could not read the workers (%(error)s).") % {"error": type(exc).__name__})
    if live:
        return Check("workers", True, _("%(n)d worker(s) alive.") % {"n": live}, {"alive": live})
    return Check("workers", False, _("No worker is alive: is manage.py wangge_worker running?"), {"alive": 0})


def check_periodic_jobs(*, now: dt.datetime | None = None) -> list[Check]:
    from .models import PeriodicJobState

    now = now or timezone.now()
    try:
        states = {s.name: s for s in PeriodicJobState.objects.all()}
    except Exception as exc:
        return [Check("periodic", False, _("Could not read the periodic jobs (%(error)s).") % {"error": type(exc).__name__})]
    checks = []
    for job in periodic.periodic_jobs():
        limit = late_after(job)
        state = states.get(job.name)
        times = [t for t in (state and state.last_started_at, state and state.last_finished_at) if t]
        data = {"every_seconds": job.interval(), "late_after_seconds": int(limit)}
        if not times:
            checks.append(Check(job.name, False, _("%(job)s has never run: is manage.py wangge_worker running?")
                                % {"job": job.name}, data))
            continue
        ago = max(0, int((now - max(times)).total_seconds()))
        data.update(seconds_since_last_run=ago, last_succeeded=state.last_succeeded)
        if ago > limit:
            checks.append(Check(job.name, False, _("%(job)s last ran %(ago)d seconds ago: late (expected every "
                                                   "%(every)s seconds).") % {"job": job.name, "ago": ago,
                                                                              "every": job.interval()}, data))
        else:
            checks.append(Check(job.name, True, _("%(job)s last ran %(ago)d seconds ago.")
                                % {"job": job.name, "ago": ago}, data))
    return checks


def run_checks(*, scope: str = "all", now: dt.datetime | None = None) -> Report:
    checks = [check_database(), check_cache()]
    if scope == "all" and periodic.uses_database_backend():
        # With the immediate backend (tests, some demos) work runs in-process: no worker to watch.
        checks.append(check_workers(now=now))
        checks.extend(check_periodic_jobs(now=now))
    return Report(checks)


@never_cache
@require_safe
def healthz(request):
    """``GET /healthz`` — 200 when healthy, 503 otherwise; ``?scope=web`` for a load balancer."""
    scope = "web" if request.GET.get("scope") == "web" else "all"
    report = run_checks(scope=scope)
    return JsonResponse(report.as_json(), status=200 if report.ok else 503, json_dumps_params={"ensure_ascii": False})
