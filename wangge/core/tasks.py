"""The platform's background tasks (django-tasks)."""

from django.conf import settings
from django_tasks import task

from .events import DomainEvent, run_pending_reactions, subscription
from .periodic import schedule_once

DEFAULT_REACTIONS_INTERVAL = 10  # seconds: how soon a reaction not kicked (or left by a dead process) runs


@task()
def run_reactions_task() -> int:
    """Run the durable reactions that are due (enqueued after the commit that wrote them)."""
    return run_pending_reactions()


@task()
def run_subscriber(key: str, event: dict) -> None:
    """A ``Mode.TASK`` subscriber's slow work, in a worker."""
    sub = subscription(key)
    if sub is not None:  # an app removed since the event: nothing to do
        sub.handler(DomainEvent.from_json(event))


@task()
def run_reactions_periodic() -> int:
    """The periodic run: reactions whose after-commit kick was lost, and retries that came due."""
    try:
        return run_pending_reactions()
    finally:
        schedule_reactions_run()


def schedule_reactions_run(delay: int | None = None) -> None:
    """Registered with ``core.periodic``; the worker calls it at start with ``delay=0``."""
    interval = int(getattr(settings, "WANGGE_REACTIONS_INTERVAL", DEFAULT_REACTIONS_INTERVAL))
    schedule_once(run_reactions_periodic, delay=interval if delay is None else delay)
