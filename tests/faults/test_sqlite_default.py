"""SQLite as a real embedded default: WAL, a busy timeout and IMMEDIATE transactions."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's options (this run uses another database)")


def test_the_database_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_transactions_take_the_write_lock_when_they_begin():
    assert connection.transaction_mode == "IMMEDIATE"
