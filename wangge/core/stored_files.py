"""Files of rows that were rolled back: deleted once the request or task that wrote them ends.

A file is written to storage when the row holding it is inserted (the ``FileField``'s
``pre_save``); a rollback takes the row back but not the file. A refused report or check-in
with photos left its photos behind, and residents' faces, doors and number plates with them.
Django has no on_rollback hook, and an on_commit callback is not proof either way (it is
dropped with a rolled back savepoint, but also never runs when an earlier callback raises).

So each file written is remembered per thread with the model and field of its row
(``save_with_files`` or ``track_written``), and settled from the database itself once no
atomic block is open: a name no row holds any more was rolled back, and its file is deleted;
a name a row holds was committed. ``CoreConfig.ready`` settles them when a request or a
background task ends."""

from __future__ import annotations

import logging
import threading

from django.db import models

logger = logging.getLogger(__name__)

_written = threading.local()


def track_written(*files: models.fields.files.FieldFile) -> None:
    """Remember files just written for rows of the open transaction (each ``FieldFile`` knows its
    model, field and storage name)."""
    pending = getattr(_written, "files", None)
    if pending is None:
        pending = _written.files = []
    pending.extend((f.field.model._meta.label, f.field.name, f.name) for f in files if f and f.name)


def save_with_files(row: models.Model, **save_kwargs) -> models.Model:
    """``row.save()``, tracking each file this save writes — also when the insert itself fails
    after its files were written (they are written before the row)."""
    fresh = [f.name for f in row._meta.concrete_fields
             if isinstance(f, models.FileField) and getattr(row, f.name) and not getattr(row, f.name)._committed]
    try:
        row.save(**save_kwargs)
    finally:
        # FieldFile's own flag: the file is in storage.
        track_written(*(getattr(row, name) for name in fresh if getattr(row, name)._committed))
    return row


def remove_files_of_rolled_back_rows(**_signal) -> list[str]:
    """Delete the files written in this thread whose rows were rolled back; the names removed.
    Nothing is decided while an atomic block is still open: its outcome is not known yet."""
    from django.apps import apps
    from django.db import connection

    pending = getattr(_written, "files", None)
    if not pending or connection.in_atomic_block:
        return []
    _written.files = []
    by_field: dict[tuple[str, str], list[str]] = {}
    for label, field, name in pending:
        by_field.setdefault((label, field), []).append(name)
    removed = []
    for (label, field), names in by_field.items():
        model = apps.get_model(label)
        kept = set(model._default_manager.filter(**{f"{field}__in": names}).values_list(field, flat=True))
        storage = model._meta.get_field(field).storage
        for name in dict.fromkeys(names):
            if name in kept:
                continue
            try:
                storage.delete(name)
            except OSError:  # the next deploy's clean-up finds it; the refusal must not turn into a 500
                logger.warning("Could not delete the file %s of a rolled back %s", name, label, exc_info=True)
                continue
            removed.append(name)
    # After the request's own clean-up (close_old_connections) this query may have opened a
    # connection: close it as that would have.
    connection.close_if_unusable_or_obsolete()
    return removed
