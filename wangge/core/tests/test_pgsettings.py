"""Planner and time-budget settings for one block: set inside it, as they were after it — also
when the block fails, and inside an enclosing transaction."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, transaction

from wangge.core.pgsettings import local_settings, set_for_transaction

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")


def _show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_settings_hold_in_the_block_and_are_put_back_after_it(db):
    with transaction.atomic():
        set_for_transaction(enable_sort="off")
        with local_settings(jit="off", enable_bitmapscan="off", enable_sort="on"):
            assert (_show("jit"), _show("enable_bitmapscan"), _show("enable_sort")) == ("off", "off", "on")
        # The enclosing transaction plans as it did before the block.
        assert (_show("jit"), _show("enable_bitmapscan"), _show("enable_sort")) == ("on", "on", "off")


def test_a_block_that_fails_leaves_the_settings_and_the_transaction_usable(db):
    timeout = _show("statement_timeout")
    with transaction.atomic():
        with pytest.raises(OperationalError):
            with local_settings(statement_timeout="20", enable_bitmapscan="off"):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.2)")
        assert (_show("statement_timeout"), _show("enable_bitmapscan")) == (timeout, "on")

