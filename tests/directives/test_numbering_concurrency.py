"""Two office workers issuing at the same moment never share a number (PostgreSQL)."""

import threading
from datetime import date

import pytest
from django.db import connection

from directives.models import Directive

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_issuers_get_consecutive_distinct_numbers(make_order):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this checks; SQLite serialises writers anyway")
    make_order()  # the counter row exists: the threads contend on its lock
    errors = []
    barrier = threading.Barrier(4)

    def issue():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            for _ in range(3):
                make_order(issued_on=date(2026, 3, 1), notify_target=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    serials = sorted(Directive.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 14))
