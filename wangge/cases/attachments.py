"""Checking uploaded files before anything is written: type (by content, not by name) and size."""

from __future__ import annotations

import logging
import threading
import warnings

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput

logger = logging.getLogger(__name__)

PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

# A photo of at most 64 megapixels: a 50-megapixel phone camera's full-size shot passes, a tiny
# file whose header claims 144 megapixels (a decompression bomb: gigabytes once decoded) does not.
MAX_PIXELS = 64_000_000


class TooManyPixels(Exception):
    def __init__(self, width: int, height: int):
        super().__init__(f"{width}x{height}")
        self.width, self.height = width, height


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The real content type, or None; TooManyPixels for an image larger than MAX_PIXELS (read
    from its header: nothing is decoded)."""
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own limit (89 MP); ours is lower and checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise TooManyPixels(width, height)
            image.verify()
            kind = PIL_TYPES.get(image.format or "")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        # A header claiming billions of pixels (a decompression bomb) is not a photo we accept.
        kind = None
    finally:
        upload.seek(0)
    return kind


def validate_uploads(uploads: list[UploadedFile], *, images_only: bool = False) -> list[tuple[UploadedFile, str]]:
    """Each upload with its real content type; InvalidInput (nothing written) on the first bad one."""
    limit = settings.WANGGE_ATTACHMENT_MAX_COUNT
    if len(uploads) > limit:
        raise InvalidInput(
            _("At most %(n)d files can be attached at once.") % {"n": limit}, fields={"attachments": "too_many"}
        )
    checked = []
    for upload in uploads:
        name = upload.name or "file"
        if upload.size > settings.WANGGE_ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.WANGGE_ATTACHMENT_MAX_BYTES),
                },
                fields={"attachments": "too_large"},
            )
        if upload.size == 0:
            raise InvalidInput(_("%(name)s is empty.") % {"name": name}, fields={"attachments": "empty"})
        try:
            content_type = sniff_content_type(upload)
        except TooManyPixels as big:
            raise InvalidInput(
                _("%(name)s is too large a picture (%(width)d × %(height)d pixels); the limit is %(limit)d "
                  "megapixels.") % {"name": name, "width": big.width, "height": big.height,
                                    "limit": MAX_PIXELS // 1_000_000},
                fields={"attachments": "too_many_pixels"},
            ) from None
        allowed = settings.WANGGE_ATTACHMENT_CONTENT_TYPES
        if content_type is None or content_type not in allowed or (
            images_only and not content_type.startswith("image/")
        ):
            message = (
                _("%(name)s is not a photo (JPEG, PNG, WebP or GIF).")
                if images_only
                else _("%(name)s is not an accepted file type (photo, PDF or voice recording).")
            )
            raise InvalidInput(message % {"name": name}, fields={"attachments": "bad_type"})
        checked.append((upload, content_type))
    return checked


# ---------------------------------------------------------------------------------------------
# Files of attachments whose rows were rolled back
# ---------------------------------------------------------------------------------------------
# A file is written to storage when its CaseAttachment row is inserted; a rollback takes the row
# back but not the file (a refused patrol finding or field report with photos left its photos
# behind). Django has no on_rollback hook, and an on_commit callback is not proof either way (it
# is dropped with a rolled back savepoint, but also never runs when an earlier callback raises).
# So the names written are kept per thread, and settled from the database itself once no atomic
# block is open: a name whose row is not there was rolled back, and its file is deleted; a name
# whose row is there was committed. Settled when a request or a background task ends, and before
# more attachments are stored in the same thread.

_written = threading.local()


def track_written(names: list[str]) -> None:
    """Remember the storage names just written for attachment rows of the open transaction."""
    pending = getattr(_written, "names", None)
    if pending is None:
        pending = _written.names = []
    pending.extend(n for n in names if n)


def remove_files_of_rolled_back_attachments(**_signal) -> list[str]:
    """Delete the files written in this thread whose rows were rolled back; the names removed.
    Nothing is decided while an atomic block is still open: its outcome is not known yet."""
    from django.db import connection

    from .models import CaseAttachment

    pending = getattr(_written, "names", None)
    if not pending or connection.in_atomic_block:
        return []
    _written.names = []
    kept = set(CaseAttachment.objects.filter(file__in=pending).values_list("file", flat=True))
    storage = CaseAttachment._meta.get_field("file").storage
    removed = []
    for name in pending:
        if name not in kept:
            try:
                storage.delete(name)
            except OSError:  # the next deploy's clean-up finds it; the refusal must not turn into a 500
                logger.warning("Could not delete the file %s of a rolled back attachment", name, exc_info=True)
                continue
            removed.append(name)
    # After the request's own clean-up (close_old_connections) this query may have opened a
    # connection: close it as that would have.
    connection.close_if_unusable_or_obsolete()
    return removed
