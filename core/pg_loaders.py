"""PostgreSQL ``timestamptz`` values read by ``datetime.fromisoformat``, not a regular expression.

Django loads every ``timestamptz`` through its own loader (``psycopg_any.BaseTzLoader``), a
Python subclass of psycopg's Python ``TimestamptzLoader``: the C loader of psycopg's binary
package is never used, and each value is matched against a verbose regular expression, its
seven fields turned into integers and the datetime shifted twice. A page of 50 samples reads
100 of them (its time and its last change), 50 patrols 150: a fifth of the sample list's
Python went to it (cProfile, bench_big). ``fromisoformat`` parses the same text in C.

The text PostgreSQL sends is the time in the session's time zone, which Django sets to the
connection's (UTC): ``2018-05-03 02:00:00.5+00``. Django's loader then gives those fields with
``tzinfo=connection.timezone``. Whenever the text ends in ``+00`` (the session's offset at
that moment is zero, so shifting to it changes no field), the datetime of the text without
its offset, with the same ``tzinfo``, is that same value; anything else (another offset, a
year past 9999, ``infinity``, BC, another DateStyle) takes Django's path unchanged.
"""

from datetime import datetime

from django.db.backends.signals import connection_created

try:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader, is_psycopg3
    from psycopg.types.datetime import TimestamptzLoader
except ImportError:  # psycopg 3 not installed: nothing to do
    is_psycopg3 = False

_parse = datetime.fromisoformat
_classes: dict = {}


if is_psycopg3:

    class IsoTzLoader(BaseTzLoader):
        """Django's ``SpecificTzLoader`` (its ``timezone`` set per connection), the ISO text
        ending in ``+00`` parsed by ``datetime.fromisoformat``."""

        def load(self, data):
            if self._load_method is _load_iso and data[-3:] == b"+00":
                try:
                    return _parse(bytes(data[:-3]).decode()).replace(tzinfo=self.timezone)
                except ValueError:
                    pass  # e.g. a year past 9999: Django's path (and its error)
            return super().load(data)

    _load_iso = TimestamptzLoader._load_iso


def loader_for(tz):
    """The :class:`IsoTzLoader` of a connection's time zone (Django's loader checks a
    cursor's ``timezone`` against the connection's, and registers its own when they differ)."""
    found = _classes.get(tz)
    if found is None:
        found = _classes[tz] = type("IsoTzLoader", (IsoTzLoader,), {"timezone": tz})
    return found


def use_iso_loader(sender, connection, **kwargs) -> None:
    """``connection_created``: a new PostgreSQL connection reads ``timestamptz`` with
    :class:`IsoTzLoader` (in place of Django's loader, of the same time zone)."""
    if not is_psycopg3 or connection.vendor != "postgresql":
        return
    connection.connection.adapters.register_loader("timestamptz", loader_for(connection.timezone))


def install() -> None:
    connection_created.connect(use_iso_loader, dispatch_uid="core.pg_loaders.use_iso_loader")
