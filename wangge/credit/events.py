"""The domain events the credit ledger publishes (payloads documented here)."""

from django.utils.translation import gettext_lazy as _

from wangge.core.events import define_event

define_event("credit_booked", label=_("Credit booked"),
             doc="One ledger entry. payload: account_id, kind (earn/spend/expire/correct), amount, "
                 "balance_after, rule (code or ''), source, source_id.")
define_event("credit_redeemed", label=_("Store item redeemed"),
             doc="One item handed out for credit. payload: account_id, item_id, price, via (counter/merchant).")
define_event("credit_link_sent", label=_("Credit page link sent"),
             doc="Staff sent the holder the link to their credit page by SMS. payload: account_id, recipients.")
define_event("credit_disputed", label=_("Credit entry disputed"),
             doc="The holder objects to one entry on their page (申诉). payload: account_id, entry_id.")
define_event("credit_dispute_resolved", label=_("Credit dispute settled"),
             doc="Community staff settled a dispute. payload: account_id, entry_id, status (corrected/answered).")
