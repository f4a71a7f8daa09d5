"""Idempotent creates that answer as if alone, whatever the concurrency.

A phone that retries, or ten that send the same record at once, all carry the same client key
(``client_id``, ``client_key``), unique in the database. The first insert wins; the others
hit the unique index (on PostgreSQL they wait for the winner's commit), and instead of a 500
they get the winner's row back, to be answered 200 with it.
"""

from django.db import IntegrityError, models, transaction


def save_once(obj: models.Model, *, key: str = "client_id") -> tuple[models.Model, bool]:
    """Insert ``obj`` in a savepoint; (obj, True), or (the row stored first, False) when
    another request inserted the same ``key`` before us."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        existing = type(obj)._default_manager.filter(**{key: getattr(obj, key)}).first()
        if existing is None:
            raise  # another constraint: not a duplicate request
        existing.just_created = False
        return existing, False
    obj.just_created = True
    return obj, True
