"""The classifier's daily retraining, through django-tasks (like the dashboard refresh)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from wangge.core.periodic import schedule_once


def find_interval() -> int:
    """Seconds between two looks at the newly filed cases (``WANGGE_DUPLICATES_FIND_SECONDS``)."""
    return int(getattr(settings, "WANGGE_DUPLICATES_FIND_SECONDS", 10))


@task()
def find_in_new_cases() -> int:
    """Store the possible duplicates of the cases filed since the last look; schedules the next."""
    from .actions import find_in_new_cases as find

    try:
        return find()
    finally:
        schedule_finding()


def schedule_finding(delay: int | None = None) -> None:
    schedule_once(find_in_new_cases, delay=find_interval() if delay is None else delay)


def retrain_interval() -> int:
    return int(getattr(settings, "WANGGE_CLASSIFIER_RETRAIN_SECONDS", 86_400))


@task()
def retrain_classifier() -> dict:
    """Train the category classifier on the newest closed cases; schedules its next run."""
    from .actions import train_classifier

    try:
        row = train_classifier()
    finally:
        schedule_retrain()
    return {"trained": row is not None, "cases": row.cases if row else 0,
            "accuracy": row.accuracy if row else None}


def schedule_retrain(delay: int | None = None) -> None:
    schedule_once(retrain_classifier, delay=retrain_interval() if delay is None else delay)
