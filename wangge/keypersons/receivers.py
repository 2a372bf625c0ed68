"""What key persons do when a resident is erased, merged or asked about (mechanical copies only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import KeyPerson


def on_active_register(resident):
    """A resident on an active visit register is not erased (retire them first)."""
    if KeyPerson.objects.filter(resident=resident, is_active=True).exists():
        return _("is on the key-person register")
    return None


def blank_copies(sender, resident, **kwargs) -> None:
    """The resident was erased: blank the register's copies of their personal data too."""
    KeyPerson.objects.filter(resident=resident).update(name="", phone="", id_number="", address="")


def repoint_merged(sender, *, kept, merged, **kwargs) -> None:
    """Two residents are one person: their register entries name the one kept."""
    KeyPerson.objects.filter(resident=merged).update(resident=kept)
