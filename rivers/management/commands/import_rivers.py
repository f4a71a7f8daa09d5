"""``./manage.py import_rivers FILE [--commit] [--update] [--town CODE]``

A dry run by default: checks every row and prints what would happen. With ``--commit`` it
writes all rows or, if any row is bad, none (exit status 1 with row-numbered messages).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import Region
from rivers.importing import import_rivers


class Command(BaseCommand):
    help = "Import the river registry from a CSV or .xlsx file with Chinese column headers."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument(
            "--update", action="store_true", help="update rivers whose code is already registered"
        )
        parser.add_argument(
            "--town", help="town code (9 digits); optional when there is only one town"
        )

    def handle(self, *args, file: Path, commit: bool, update: bool, town: str | None, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        town_region = self._town(town)
        try:
            result = import_rivers(
                path=file,
                filename=file.name,
                town=town_region,
                by=None,
                update=update,
                commit=commit,
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} problem(s) in {file.name}; nothing was written"
            )
        for row in result.rows:
            self.stdout.write(
                f"{row.row:>5}  {row.action:<6}  {row.code}  {row.name}  {row.level_label}  "
                f"{row.length_km} km  {row.region_names}"
            )
        summary = f"{result.created} to create, {result.updated} to update in {town_region.name}"
        if result.committed:
            self.stdout.write(self.style.SUCCESS(f"imported: {summary}"))
        else:
            self.stdout.write(f"dry run: {summary}; run again with --commit to write")

    def _town(self, code: str | None) -> Region:
        towns = Region.objects.filter(kind=Region.Kind.TOWN)
        if code:
            town = towns.filter(code=code).first()
            if town is None:
                raise CommandError(f"no town with code {code}")
            return town
        found = list(towns[:2])
        if len(found) != 1:
            raise CommandError("several towns (or none): give --town CODE")
        return found[0]
