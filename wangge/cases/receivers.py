"""What cases do when other parts of the system tell them something (connected in
``CasesConfig.ready``)."""

from __future__ import annotations


def recompute_after_calendar_load(sender, *, year: int, **kwargs) -> None:
    """A year of the working-day calendar was loaded (after commit): recompute, in the
    background, every open case whose deadline was provisional."""
    from .tasks import recompute_provisional_deadlines

    recompute_provisional_deadlines.enqueue(year)


def repoint_cases_of_merged_resident(sender, *, kept, merged, **kwargs) -> None:
    from .actions.privacy import repoint_reporter

    repoint_reporter(kept=kept, merged=merged)


def erase_case_snapshots_of_resident(sender, *, resident, **kwargs) -> None:
    from .actions.privacy import erase_reporter_snapshots

    erase_reporter_snapshots(resident=resident)
