"""The masks of a key person's sensitive fields (the phone and name masks are the residents' own)."""

from __future__ import annotations

from wangge.residents.masking import mask_name, mask_phone

__all__ = ["mask_address", "mask_id_number", "mask_name", "mask_phone"]


def mask_id_number(value: str) -> str:
    """110105********1234 — keep the region code (6) and the last 4."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_address(value: str) -> str:
    """The first few characters (the estate), the rest starred: the room number never shows."""
    if not value:
        return ""
    keep = min(6, max(1, len(value) // 3))
    return value[:keep] + "****"
