"""PostgreSQL plans a statement the case desk runs again and again once per connection
(prepared statements, ``config.settings.database.prepared``), unless the deployment turns it off
for a connection pooler that cannot carry them."""

from __future__ import annotations

import pytest
from django.db import connection

from config.settings.database import prepared
from wangge.cases.models import Category


def test_postgres_connections_bind_on_the_server_and_prepare_repeated_statements(monkeypatch):
    monkeypatch.delenv("WANGGE_DB_PREPARE_THRESHOLD", raising=False)
    options = prepared({"ENGINE": "django.db.backends.postgresql", "NAME": "wangge"})["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": 5}


def test_a_deployment_behind_an_old_transaction_pooler_turns_them_off(monkeypatch):
    monkeypatch.setenv("WANGGE_DB_PREPARE_THRESHOLD", "0")
    assert prepared({"ENGINE": "django.db.backends.postgresql", "NAME": "wangge"})["OPTIONS"] == {}


def test_options_set_by_hand_are_kept_and_sqlite_is_left_alone(monkeypatch):
    monkeypatch.setenv("WANGGE_DB_PREPARE_THRESHOLD", "3")
    database = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"server_side_binding": False}}
    assert prepared(database)["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": 3}
    assert prepared({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}) == {"ENGINE": "django.db.backends.sqlite3",
                                                                             "NAME": "x"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_database_plans_a_repeated_lookup_once(db):
    def prepared_here() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            return {row[0] for row in cursor.fetchall()}

    before = prepared_here()
    for code in ("a", "b", "c", "d", "e", "f"):  # the same statement, other values
        list(Category.objects.filter(code=code))
    new = prepared_here() - before
    assert any('"cases_category"' in statement and "$1" in statement for statement in new)
