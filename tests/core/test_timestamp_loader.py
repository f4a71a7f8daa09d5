"""PostgreSQL ``timestamptz`` values are read by ``fromisoformat`` (core/pg_loaders.py) as the
very datetimes Django's own loader gives, and anything else still takes Django's path."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from core import pg_loaders

pytestmark = pytest.mark.django_db


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("a psycopg loader: PostgreSQL only")
    connection.ensure_connection()
    return connection


# Every fraction length PostgreSQL trims to, the ends of the range, a leap day, midnight.
TEXTS = [
    "2018-05-03 02:00:00+00",
    "2018-05-03 02:00:00.5+00",
    "2018-05-03 02:00:00.12+00",
    "2018-05-03 02:00:00.123+00",
    "2018-05-03 02:00:00.1234+00",
    "2018-05-03 02:00:00.12345+00",
    "2018-05-03 02:00:00.123456+00",
    "0001-01-01 00:00:00+00",
    "0999-12-31 23:59:59.999999+00",
    "2020-02-29 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def both(text: str, timezone=UTC):
    """(Django's loader, ours) on ``text`` for a connection in ``timezone``."""
    django_class = type("SpecificTzLoader", (BaseTzLoader,), {"timezone": timezone})
    oid = connection.connection.adapters.types["timestamptz"].oid
    ours = pg_loaders.loader_for(timezone)(oid, connection.connection)
    return django_class(oid, connection.connection), ours


@pytest.mark.parametrize("text", TEXTS)
def test_each_text_gives_the_datetime_djangos_loader_gives(pg, text):
    django, ours = both(text)
    expected, found = django.load(text.encode()), ours.load(text.encode())
    assert found == expected
    assert (found.tzinfo, found.fold, repr(found)) == (
        expected.tzinfo,
        expected.fold,
        repr(expected),
    )


@pytest.mark.parametrize(
    "text", ["2018-05-03 10:00:00+08", "2018-05-03 02:00:00+00:30", "2018-05-03 02:00:00-03"]
)
def test_another_offset_takes_djangos_path(pg, text):
    django, ours = both(text)
    assert ours.load(text.encode()) == django.load(text.encode())


@pytest.mark.parametrize(
    "text", ["infinity", "10000-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC"]
)
def test_what_python_cannot_hold_fails_as_in_django(pg, text):
    django, ours = both(text)
    with pytest.raises(psycopg.DataError) as theirs:
        django.load(text.encode())
    with pytest.raises(psycopg.DataError) as mine:
        ours.load(text.encode())
    assert str(mine.value) == str(theirs.value)


def test_the_connections_cursors_read_timestamps_with_the_iso_loader(pg):
    moment = datetime(2018, 5, 3, 2, 0, 0, 500000, tzinfo=UTC)
    with pg.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(
            cursor.cursor.adapters.types["timestamptz"].oid, 0
        )
        assert issubclass(loader, pg_loaders.IsoTzLoader)
        assert loader.timezone == pg.timezone  # so Django registers no loader per cursor
        cursor.execute(
            "SELECT %s::timestamptz, %s::timestamptz + interval '1 microsecond'",
            [moment, moment],
        )
        first, second = cursor.fetchone()
    assert first == moment
    assert first.tzinfo is pg.timezone
    assert second - first == timedelta(microseconds=1)
