"""Closed choices of the notifications app (the open ones — kinds, channels — are registries)."""

from django.db import models
from django.utils.translation import pgettext_lazy


class OutboxStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outbox", "Pending")
    SENDING = "sending", pgettext_lazy("outbox", "Sending")
    SENT = "sent", pgettext_lazy("outbox", "Sent")
    DEAD = "dead", pgettext_lazy("outbox", "Dead letter")
    # Not sent because it no longer holds (an "accepted" text to a report rejected before it went
    # out); never retried.
    WITHDRAWN = "withdrawn", pgettext_lazy("outbox", "Withdrawn")


# Badge colours, as the case desk keeps them beside its choices.
OUTBOX_STATUS_COLOURS = {
    OutboxStatus.PENDING: "grey",
    OutboxStatus.SENDING: "blue",
    OutboxStatus.SENT: "green",
    OutboxStatus.DEAD: "red",
    OutboxStatus.WITHDRAWN: "dark",
}
