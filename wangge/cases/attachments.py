"""Checking uploaded files before anything is written: type (by content, not by name) and size.

The files of attachment rows that are rolled back after they were written are deleted by
``wangge.core.stored_files`` (``actions.base._store_attachments`` tracks them)."""

from __future__ import annotations

import warnings

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput

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
