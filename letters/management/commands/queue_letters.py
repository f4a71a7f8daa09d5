"""Run a month's letter batch by hand: ``./manage.py queue_letters 2026-11 [--town 310116102]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import Region
from letters import services
from letters.tasks import queue_monthly_letters


class Command(BaseCommand):
    help = (
        "Create and send a month's letters (all towns, or one); a month already sent is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--town", help="the town's region code (default: every town)")

    def handle(self, *args, month, town=None, **options):
        try:
            if town is None:
                self.stdout.write(queue_monthly_letters(month))
                return
            region = Region.objects.filter(code=town, kind=Region.Kind.TOWN).first()
            if region is None:
                raise CommandError(f"no town with code {town}")
            batch = services.queue_batch(town=region, month=month)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if batch is None:
            raise CommandError(f"{month}: the batch of {region.name} was already sent")
        self.stdout.write(f"{batch}: {batch.letters.count()} letters queued")
