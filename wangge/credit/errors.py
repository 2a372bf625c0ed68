"""The credit ledger's refusals: each a ``wangge.core.errors`` error, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound


class AccountNotFound(NotFound):
    default_message = _("No such credit account.")


class ItemNotFound(NotFound):
    default_message = _("No such store item.")


class NotEnoughCredit(InvalidState):
    code = "not_enough_credit"
    default_message = _("Not enough credit: the balance cannot go below zero.")

    @classmethod
    def for_item(cls, *, balance: int, item) -> NotEnoughCredit:
        """At the store: what the holder has and what the item costs (a bare “not enough” leaves
        the counter to look both up)."""
        return cls(_("Not enough credit: the balance is %(balance)s points and %(item)s costs %(price)s.")
                   % {"balance": balance, "item": item.name, "price": item.price})


class OutOfStock(InvalidState):
    code = "out_of_stock"
    default_message = _("This item is out of stock.")


class BadCode(InvalidInput):
    code = "bad_code"
    default_message = _("This redemption code is not valid: it is wrong, used or expired.")


class NotAllowed(Forbidden):
    pass
