"""Mechanical only: drop the in-process grid index when a region changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import geo
from .models import Region


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
def drop_grid_index(sender, instance, **kwargs):
    geo.invalidate()
