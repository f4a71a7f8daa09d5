"""Build the demo town (朱泾镇) from shared/reference/zhujing.md.

Each app contributes a ``demo.py`` with ``build(*, stdout)``; they run in INSTALLED_APPS order,
each in its own transaction. Every builder is deterministic (seeded) and idempotent: it creates
only what is missing, so a second run changes nothing.
"""

import time
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Build (or complete) the Zhujing demo town; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="build the demo even with DEBUG=false (a staging copy; never production)",
        )

    def handle(self, *args, **options):
        # The demo creates users with a published password and a published write token: in a
        # database that may be production's (DEBUG off) it runs only when told explicitly.
        if not (settings.DEBUG or settings.TESTING or options["allow_without_debug"]):
            raise CommandError(
                "demo_town creates users with a published password and a published API write "
                "token; with DEBUG=false it refuses to run. Pass --allow-without-debug if this "
                "database is really a demo."
            )
        started = time.monotonic()
        for app in settings.LOCAL_APPS:
            if not find_spec(f"{app}.demo"):
                continue
            step = time.monotonic()
            with transaction.atomic():
                summary = import_module(f"{app}.demo").build(stdout=self.stdout)
            self.stdout.write(f"{app}: {summary} ({time.monotonic() - step:.1f} s)")
        self.stdout.write(
            self.style.SUCCESS(f"demo town ready in {time.monotonic() - started:.1f} s")
        )
