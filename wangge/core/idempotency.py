"""一次 — writing once per client token: the ``client_id`` a form or a phone's offline queue sends
with each write, so that a double tap or a resend after a dropped signal stores one row.

The row's model has a unique ``client_id`` column and a column naming whose token it is (the
worker's, by default). ``write_once`` returns the row a copy already stored under the token, or
writes it; two copies at once meet the unique token: the second one's writes are rolled back
and the first one's row is returned."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

Row = TypeVar("Row", bound=models.Model)


def write_once(*, model: type[Row], client_id: uuid.UUID | None, owner, write: Callable[[], Row],
               refuse: Callable[[], Exception], owner_field: str = "worker_id") -> tuple[Row, bool]:
    """(the row, whether this call wrote it). ``write()`` runs in one transaction (a savepoint
    inside the caller's), once per ``client_id``; ``client_id`` None writes on every call.

    A row already stored under the token is returned, and ``write()`` is not called — but only
    to ``owner`` (matched on ``owner_field``): someone else's token raises ``refuse()``. A
    concurrent copy that stored the token first makes this call's insert fail on the unique
    column: everything ``write()`` did (a case too) is rolled back, and the stored row returned.
    Any other integrity error is raised as it is."""

    def sent_before() -> Row | None:
        if client_id is None:
            return None
        row = model._default_manager.filter(client_id=client_id).first()
        if row is not None and getattr(row, owner_field) != owner.pk:
            raise refuse()
        return row

    try:
        with transaction.atomic():
            row = sent_before()
            if row is not None:
                return row, False
            return write(), True
    except IntegrityError:
        # Read after the savepoint is rolled back: the copy that won has committed its row.
        row = sent_before()
        if row is None:
            raise
        return row, False
