"""暂存附件 — the files attached to a hotline call while the form comes back unsaved.

The hotline form comes back to ask about a likely duplicate (疑似重复) before it files anything;
a browser cannot refill a file input, so the files the clerk attached would be lost on the way.
They are kept here instead, under the form's own key (``HotlineForm.submission``) and for the
clerk who attached them — checked as every upload is (``cases.attachments``) before anything is
kept. The page names them, each with a button to remove it, and posts their ids back: 仍然登记为新事件
files exactly those (through ``cases.actions``, which checks them again), and they are removed
once the case is filed. A call never filed loses them after ``WANGGE_HELD_UPLOAD_HOURS``: the
periodic job ``web.held_uploads`` (``tasks``) deletes older rows and their files.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.attachments import validate_uploads
from wangge.cases.errors import InvalidInput
from wangge.core.stored_files import save_with_files

from .models import HeldUpload

logger = logging.getLogger(__name__)


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings.WANGGE_HELD_UPLOAD_HOURS)


# A form's key as the page draws it (``secrets.token_urlsafe``): anything else posted back (a
# forged or mangled field, NUL bytes PostgreSQL refuses) has nothing kept under it.
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def held_for(*, user, key: str) -> list[HeldUpload]:
    """The files kept for ``user``'s form ``key`` and not yet too old, in the order attached."""
    if not FORM_KEY.fullmatch(key or ""):
        return []
    return list(HeldUpload.objects.filter(user=user, form_key=key, created_at__gt=timezone.now() - max_age()))


def keep(*, user, key: str, uploads: Sequence, already: int = 0) -> list[HeldUpload]:
    """Keep ``uploads`` for ``user``'s form ``key``, beside ``already`` files kept before (the
    case's limit counts them all). InvalidInput, nothing kept, when one fails the checks."""
    if not uploads:
        return []
    if already + len(uploads) > settings.WANGGE_ATTACHMENT_MAX_COUNT:
        raise InvalidInput(_("At most %(n)d files can be attached at once.") % {"n": settings.WANGGE_ATTACHMENT_MAX_COUNT},
                           fields={"attachments": "too_many"})
    checked = validate_uploads(list(uploads))
    with transaction.atomic():
        return [save_with_files(HeldUpload(user=user, form_key=key, file=upload, size=upload.size,
                                           original_name=(upload.name or "file")[:200], content_type=content_type))
                for upload, content_type in checked]


def opened(rows: Iterable[HeldUpload]) -> list[File] | None:
    """The kept files, open for filing under their own names; None if one has gone from storage
    meanwhile (filed by a request that ran beside this one, or removed)."""
    files = []
    try:
        for row in rows:
            files.append(File(row.file.storage.open(row.file.name, "rb"), name=row.original_name))
    except FileNotFoundError:
        for f in files:
            f.close()
        return None
    return files


def discard(rows: Iterable[HeldUpload]) -> None:
    """Remove the rows and their files (filed, or removed by the clerk)."""
    rows = list(rows)
    HeldUpload.objects.filter(pk__in=[r.pk for r in rows]).delete()
    for row in rows:
        _delete_file(row)


def discard_form(*, user, key: str) -> None:
    """Everything kept for the form ``key``: its case is filed."""
    discard(HeldUpload.objects.filter(user=user, form_key=key))


def remove_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the rows older than the age limit, with their files: how many."""
    old = list(HeldUpload.objects.filter(created_at__lte=(now or timezone.now()) - max_age()))
    discard(old)
    return len(old)


def _delete_file(row: HeldUpload) -> None:
    try:
        row.file.storage.delete(row.file.name)
    except OSError:  # the row is gone; a file left over is not worth a failed request
        logger.warning("Could not delete the kept upload %s", row.file.name, exc_info=True)
