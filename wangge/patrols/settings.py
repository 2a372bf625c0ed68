"""The patrols app's settings, read when used (override any in the project settings)."""

from django.conf import settings


def far_metres() -> float:
    """A check-in farther than this from its point is flagged (never refused)."""
    return float(getattr(settings, "WANGGE_PATROL_FAR_METRES", 300))


def max_backdate_hours() -> float:
    """How old a check-in's own time may be when it reaches the server (the offline queue)."""
    return float(getattr(settings, "WANGGE_PATROL_MAX_BACKDATE_HOURS", 72))


def offline_queue_max() -> int:
    """How many check-ins a phone keeps while it has no signal (its offline queue). Storage is
    guarded on its own (photos, shrunk to 1600 px, are a few hundred kB each and are dropped first
    when the phone's ~5 MB is full; a check-in without them is about 1 kB). This bounds the wait:
    more than a day's round of a grid's points queued means the phone has been without signal for
    a day, and a check-in older than ``max_backdate_hours`` is refused when it finally arrives."""
    return int(getattr(settings, "WANGGE_PATROL_OFFLINE_QUEUE_MAX", 50))


def late_minutes() -> float:
    """A check-in received more than this after its own time is marked late."""
    return float(getattr(settings, "WANGGE_PATROL_LATE_MINUTES", 30))


def clock_skew_minutes() -> float:
    """How far ahead of the server a phone's clock may run."""
    return float(getattr(settings, "WANGGE_PATROL_CLOCK_SKEW_MINUTES", 5))


def overdue_days() -> int:
    """Missed visits whose window closed within this many days are listed as overdue."""
    return int(getattr(settings, "WANGGE_PATROL_OVERDUE_DAYS", 7))


def slot_horizon_days() -> int:
    """The periodic job makes the slots of the windows that open within this many days."""
    return int(getattr(settings, "WANGGE_PATROL_SLOT_HORIZON_DAYS", 7))
