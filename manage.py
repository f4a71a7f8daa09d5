#!/usr/bin/env python
import os
import sys
from pathlib import Path


def _into_the_venv() -> None:
    """``./manage.py`` starts under whichever ``python`` comes first on PATH (often the system's,
    without Django); the project's packages live in ``.venv``: carry on there."""
    try:
        import django  # noqa: F401
    except ImportError:
        venv_python = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
        if venv_python.exists() and not os.environ.get("MANAGE_PY_IN_VENV"):
            os.environ["MANAGE_PY_IN_VENV"] = "1"
            os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
        raise SystemExit(
            "Django is not installed for this Python: run ./scripts/setup, then "
            ".venv/bin/python manage.py …"
        ) from None


if __name__ == "__main__":
    _into_the_venv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
