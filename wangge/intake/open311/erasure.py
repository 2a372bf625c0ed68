"""What the Open311 interface does when a case's reporter is erased (PIPL): a mechanical copy."""

from __future__ import annotations

from wangge.residents.masking import redact_values

from .models import Open311Request


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: what the client app sent with ``case`` beyond the case's
    own fields loses the erased resident — the device and account ids that name them in the client
    app are blanked, and ``redact`` runs over the answers to the service's questions. The request
    (client, token: how the client finds its report again) stays. Returns how many rows changed."""
    changed = 0
    for received in Open311Request.objects.filter(case=case).select_for_update():
        attributes = redact_values(received.attributes or {}, redact)
        if (received.device_id, received.account_id, attributes) == ("", "", received.attributes or {}):
            continue
        received.device_id, received.account_id, received.attributes = "", "", attributes
        received.save(update_fields=["device_id", "account_id", "attributes"])
        changed += 1
    return changed
