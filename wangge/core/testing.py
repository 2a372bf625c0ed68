"""Test helpers that need nothing but core: small, real images.

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
