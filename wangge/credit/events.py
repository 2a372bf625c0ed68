"""The domain events the credit ledger publishes (payloads documented here)."""

from django.utils.translation import gettext_lazy as _

from wangge.core.events import define_event

define_event("credit_booked", label=_("Credit booked"),
             doc="One ledger entry. payload: account_id, kind (earn/spend/expire/correct), amount, "
                 "balance_after, rule (code or ''), source, source_id.")
define_event("credit_redeemed", label=_("Store item redeemed"),
             doc="One item handed out for credit. payload: account_id, item_id, price, via (counter/merchant).")
