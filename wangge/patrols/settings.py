"""The patrols app's settings, read when used (override any in the project settings)."""

from django.conf import settings


def far_metres() -> float:
    """A check-in farther than this from its point is flagged (never refused)."""
    return float(getattr(settings, "WANGGE_PATROL_FAR_METRES", 300))


def max_backdate_hours() -> float:
    """How old a check-in's own time may be when it reaches the server (the offline queue)."""
    return float(getattr(settings, "WANGGE_PATROL_MAX_BACKDATE_HOURS", 72))


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
