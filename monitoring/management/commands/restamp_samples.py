from django.core.management.base import BaseCommand

from monitoring import stamps


class Command(BaseCommand):
    help = (
        "Stamp again the samples whose stored assessment is missing or of other rules (after "
        "MONITORING_DO_CLASS_I_RULE or ASSESSMENT_VERSION changed); --every: all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", action="store_true", help="stamp every sample again")

    def handle(self, *args, every: bool = False, **options):
        n = stamps.restamp(every=every)
        self.stdout.write(f"{n} samples stamped")
