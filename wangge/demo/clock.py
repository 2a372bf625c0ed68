"""Time travel for the demo data (模拟时钟): the real actions run as if it were an earlier moment.

Everything in Wangge reads the time through ``django.utils.timezone.now()`` (looked up on the
module at call time), so patching that one attribute back-dates every action, timeline event,
``auto_now`` field and notification. Model fields whose *default* is ``timezone.now`` captured
the function object when the model was defined; they are pointed at the clock as well.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.apps import apps
from django.utils import timezone


class TravelClock:
    """A callable standing in for ``timezone.now``; move it with ``set``."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, at: dt.datetime) -> None:
        self.now = at


def _defaulting_to(func) -> list:
    return [
        f for model in apps.get_models() for f in model._meta.concrete_fields if f.default is func
    ]


def _set_default(field, value) -> None:
    field.default = value
    field.__dict__.pop("_get_default", None)  # a cached_property holding the old callable


@contextmanager
def time_travel(start: dt.datetime) -> Iterator[TravelClock]:
    """``with time_travel(t) as clock: ... clock.set(t2) ...`` — timezone.now() answers the clock."""
    real_now = timezone.now
    clock = TravelClock(start)
    fields = _defaulting_to(real_now)
    with mock.patch("django.utils.timezone.now", clock):
        for f in fields:
            _set_default(f, clock)
        try:
            yield clock
        finally:
            for f in fields:
                _set_default(f, real_now)
