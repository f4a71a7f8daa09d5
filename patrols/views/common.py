"""Helpers shared by the page modules."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from patrols import services
from patrols.models import Patrol

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def can_edit_patrol(patrol: Patrol, user) -> bool:
    try:
        services.patrols.require_can_edit(patrol, user)
    except PermissionDenied:
        return False
    return True
