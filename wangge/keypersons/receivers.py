"""What key persons do when a resident is erased, merged or asked about (mechanical copies only)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actions import anonymise_key_person, redact_quick_reports
from .models import KeyPerson


def on_active_register(resident):
    """A resident on an active visit register is not erased (retire them first)."""
    if KeyPerson.objects.filter(resident=resident, is_active=True).exists():
        return _("is on the key-person register")
    return None


def blank_copies(sender, resident, phone: str = "", name: str = "", **kwargs) -> None:
    """The resident was erased (PIPL): each of their register entries is erased as the retention
    sweep erases a retired one (``actions.anonymise_key_person``: personal data and notes blank,
    the visits' notes blank, the erased number and name gone from the retirement reason, the
    attendance notes and the cases the visits opened), now — only a retired person may be
    erased, so there is no need to wait. The entries, their visits and every figure stay. The
    六报 quoting their number lose it (``actions.redact_quick_reports``)."""
    now, actor = timezone.now(), getattr(resident, "anonymised_by", None)
    entries = list(KeyPerson.objects.select_for_update().filter(resident=resident).order_by("pk"))
    for row in entries:  # each also takes the number from the 六报 quoting it
        anonymise_key_person(row, now=now, phones=[phone], names=[name], actor=actor)
    if not entries:  # 六报 quoting the number of someone never on the register
        redact_quick_reports(phones=[phone])


def repoint_merged(sender, *, kept, merged, **kwargs) -> None:
    """Two residents are one person: their register entries name the one kept."""
    KeyPerson.objects.filter(resident=merged).update(resident=kept)
