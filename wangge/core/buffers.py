"""Insert buffers: rows collected while a block runs and written with one INSERT at its end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


@contextmanager
def collecting(buffer: ContextVar, model) -> Iterator[list]:
    """While the block runs, ``buffer`` holds a list that writers append unsaved ``model`` rows
    to; they are bulk-inserted, in order, when it ends. Nothing is written if the block raises."""
    rows: list = []
    token = buffer.set(rows)
    try:
        yield rows
        model.objects.bulk_create(rows)
    finally:
        buffer.reset(token)
