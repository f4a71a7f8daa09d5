"""Uploaded files are private: one view serves them after asking who owns the file.

Every ``/media/<name>`` request is answered by :func:`serve_media`: it finds the record whose
file field holds ``name`` (finding photos, order attachments and rectification photos, public
report photos, small-water-body photos, responsibility-letter scans, lab import files) and
asks that app's own scope (``visible_to`` or its selector) whether the caller may see the
record. Anything else, a record out of scope or a guessed name, answers 404; an anonymous
caller is sent to log in (no upload is public).

``MEDIA_SERVE_MODE`` chooses how the bytes leave once allowed: ``django`` streams them with
``FileResponse``; ``x-accel`` answers with ``X-Accel-Redirect`` to an internal nginx location
(``MEDIA_ACCEL_PREFIX``); ``x-sendfile`` answers with ``X-Sendfile`` (Apache/lighttpd).
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET


def unguessable(prefix: str, filename: str, *, suffix: str | None = None) -> str:
    """``prefix/<random token><suffix>``: a name nobody can guess from another one."""
    ext = suffix if suffix is not None else Path(filename).suffix.lower()[:10]
    token = f"{secrets.token_urlsafe(24)}{ext}"
    return f"{prefix.rstrip('/')}/{token}" if prefix.strip("/") else token


class PrivateStorage(FileSystemStorage):
    """The default storage: every new upload gets a random name in its upload_to folder.

    The folder (which says which app owns it) and the extension stay; the rest of the name
    (an original file name, a date, a client-chosen id) is replaced by a random token.
    """

    def generate_filename(self, filename: str) -> str:
        name = super().generate_filename(filename)
        folder = str(Path(name).parent).replace("\\", "/")
        return unguessable(folder if folder != "." else "", name)


# Who owns a file, by the folder its upload_to puts it in (old and new names alike). Each app
# registers the folders of its own uploads in its AppConfig.ready() (its media.py), so that
# core, the ground every app stands on, imports none of them.
OWNERS: dict[str, Callable[[str, object], bool]] = {}


def register_owner(prefix: str) -> Callable:
    """Decorator: ``check(name, user)`` says whether ``user`` may read a file under ``prefix``."""

    def decorate(check: Callable[[str, object], bool]) -> Callable[[str, object], bool]:
        OWNERS[prefix] = check
        return check

    return decorate


def may_read(*, name: str, user) -> bool:
    """Whether ``user`` may read the stored file ``name`` (its owning record is in scope)."""
    for prefix, check in OWNERS.items():
        if name.startswith(prefix):
            return check(name, user)
    return False


def _safe_name(name: str) -> str:
    parts = Path(name).parts
    if not name or name.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise Http404
    if "\x00" in name or "\\" in name:
        raise Http404
    return name


def file_response(name: str) -> HttpResponse:
    """The allowed file, the way ``MEDIA_SERVE_MODE`` says."""
    path = Path(settings.MEDIA_ROOT) / name
    if not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    mode = getattr(settings, "MEDIA_SERVE_MODE", "django")
    if mode == "x-accel":
        response = HttpResponse(content_type=content_type)
        prefix = settings.MEDIA_ACCEL_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = f"{prefix}/{quote(name)}"
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(path)
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if not content_type.startswith("image/"):
        response["Content-Disposition"] = "attachment"
    return response


@require_GET
def serve_media(request, name: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    name = _safe_name(name)
    if not may_read(name=name, user=request.user):
        raise Http404
    return file_response(name)
