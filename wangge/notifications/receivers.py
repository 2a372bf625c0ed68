"""What the outbox does when a resident is erased (a mechanical copy: no rule lives here)."""

from __future__ import annotations

from .outbox import forget_addresses


def forget_erased_resident(sender, *, resident, phone: str = "", openids=(), **kwargs) -> None:
    """PIPL erasure: the texts and WeChat messages to the resident's number and OpenIDs keep no
    trace of them (the case they were about keeps its own record)."""
    forget_addresses(addresses=[phone, *openids], tag=f"r{resident.pk}")
