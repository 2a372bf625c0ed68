"""信用积分 / 德誉超市 — the resident credit ledger and the credit store.

- ``models``: rules, accounts (resident or household), the append-only hash-chained ledger, lots
  (expiry by date, spent oldest first), the store's items, merchants, codes and redemptions;
- ``ledger``: the booking primitives (row lock on the account, balance never below zero);
- ``actions``: every write (award, correct, expire, redeem at the counter or by code, the store);
- ``selectors``: scoped, masked reads; ``verify``/``manage.py verify_credit``: the chain check;
- ``receivers``: credit for a confirmed report (``case_accepted``, durable, idempotent).
"""
