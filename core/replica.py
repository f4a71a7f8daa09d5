"""Read replicas: API list reads go to a replica alias, everything else to ``default``.

Only the list endpoints of the API are sent to the replica: they read many rows, never write,
and a district client syncing with ``modified_since`` tolerates a replica a second behind
(it asks again from its last ``updated_at``). Pages, detail reads, services and jobs stay on
``default`` so that a user always reads what they have just written.

``settings.DATABASE_READ_REPLICA`` names the alias (set when ``DATABASE_REPLICA_URL`` is);
``None`` turns the router into a no-op.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction

_list_read: ContextVar[bool] = ContextVar("replica_list_read", default=False)


@contextmanager
def list_reads():
    """Within the block, reads may go to the replica (when one is configured)."""
    token = _list_read.set(True)
    try:
        yield
    finally:
        _list_read.reset(token)


def in_list_read() -> bool:
    """Within :func:`list_reads` (an API list's ``GET``)."""
    return _list_read.get()


def replica_alias() -> str | None:
    alias = getattr(settings, "DATABASE_READ_REPLICA", None)
    return alias if alias and alias in settings.DATABASES else None


class ReadReplicaRouter:
    """Sends reads made inside :func:`list_reads` to the replica; writes always to default."""

    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None or not _list_read.get():
            return None
        # Inside a transaction on default, read what that transaction sees.
        if transaction.get_connection("default").in_atomic_block:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaListReadsMiddleware:
    """Marks GET requests to an API list action so that their reads may use the replica."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "_replica_token", None)
        if token is not None:
            _list_read.reset(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        actions = getattr(view_func, "actions", None) or {}
        if request.method in ("GET", "HEAD") and actions.get("get") == "list":
            request._replica_token = _list_read.set(True)
        return None
