"""The start every bench script shares: Django on a database of its own, jobs in-process.

Each script calls :func:`setup_django` before importing any model. A bench measures one
process: Celery runs eagerly and e-mail and SMS stay in memory, so nothing leaves the machine.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django(sqlite_name: str, *, fresh: bool, eager: bool = True) -> None:
    """Configure and start Django for a benchmark.

    ``DATABASE_URL``, when set, names the (empty) database to use; otherwise the script gets
    ``var/<sqlite_name>``, deleted first when ``fresh`` (a script that reuses what it built
    passes ``fresh=False``). ``eager=False`` publishes tasks to ``CELERY_BROKER_URL`` for a
    real worker (the script starts it) instead of running them in-process.
    """
    sys.path.insert(0, str(BASE_DIR))
    env = os.environ
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("DEBUG", "1")
    env.setdefault("LOG_LEVEL", "WARNING")
    env.setdefault("LOGIN_FAILURE_LIMIT", "1000")
    env["CELERY_TASK_ALWAYS_EAGER"] = "true" if eager else "false"
    env["EMAIL_URL"] = "memorymail://"
    env["SMS_BACKEND"] = "notices.sms.LocmemBackend"
    if "DATABASE_URL" not in env:
        db = BASE_DIR / "var" / sqlite_name
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"

    import django

    django.setup()
