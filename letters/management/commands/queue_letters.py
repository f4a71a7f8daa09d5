"""Run a month's letter batch by hand: ``./manage.py queue_letters 2026-11 [--town 310116102]``.

The batch is committed first; the broker only wakes the workers. When the broker is down the
command still succeeds and says so: the batch goes out when the broker is back (the resume job,
every minute, queues the letters of a batch that does not move).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import Region
from letters import services
from letters.models import Letter, LetterBatch
from letters.tasks import fan_out_batch, queue_monthly_letters
from notices.wakeup import broker_reachable, wake

BROKER_DOWN = (
    "The broker is unreachable now: the letters are queued in the database and will go out "
    "when the broker returns (the resume job picks them up); nothing needs to be run again."
)


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
                self._broker_note()
                return
            region = Region.objects.filter(code=town, kind=Region.Kind.TOWN).first()
            if region is None:
                raise CommandError(f"no town with code {town}")
            batch = services.queue_batch(town=region, month=month)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if batch is None:
            self._already(region, month)
            return
        self.stdout.write(f"{batch}: {batch.letters.count()} letters queued")
        self._broker_note()

    def _already(self, region: Region, month: str) -> None:
        batch = LetterBatch.objects.filter(town=region, month=f"{month[:7]}-01").first()
        if batch is None or batch.status != LetterBatch.Status.SENDING:
            raise CommandError(f"{month}: the batch of {region.name} was already sent")
        waiting = batch.letters.filter(
            status__in=[Letter.Status.PENDING, Letter.Status.SENDING]
        ).count()
        # Still sending (perhaps queued while the broker was down): nudge it, harmlessly.
        wake(fan_out_batch, batch.pk, 0)
        self.stdout.write(f"{batch}: already being sent, {waiting} letters still to go")
        self._broker_note()

    def _broker_note(self) -> None:
        if not broker_reachable():
            self.stdout.write(self.style.WARNING(BROKER_DOWN))
