"""Test helpers that need nothing but core: small, real images, and the files in storage.

The territory, staff and case factories live in ``wangge.testing`` (they need the domain apps).
"""

from __future__ import annotations

import io


def png_bytes(size: tuple[int, int] = (8, 8), colour="red") -> bytes:
    """A small, real PNG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png(name: str = "photo.png", size: tuple[int, int] = (8, 8), colour="red"):
    """A small, real PNG as an uploaded file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(size, colour), content_type="image/png")


def stored_media(folder: str) -> set[str]:
    """The files under ``MEDIA_ROOT / folder``, as their storage names: what a test compares
    before and after, to see which uploads were kept."""
    from django.conf import settings

    root = settings.MEDIA_ROOT / folder
    return {str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
