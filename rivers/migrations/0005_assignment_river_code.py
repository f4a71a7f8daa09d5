"""Each assignment's river code, stored on the assignment (``ChiefAssignment.river_code``).

The chief directory shows each chief's first rivers in code order; with the code on the
assignment it ranks a page's 2,500 assignments without reading their 2,500 rivers (7,500
buffers, bench_big). The column is added empty (no rewrite of the table: PostgreSQL stores
the default in the catalog), then filled from the rivers by ranges of 50,000 ids, each range
its own transaction (the migration is not atomic), so no transaction holds the whole table.
"""

from django.db import migrations, models, transaction
from django.db.models import Max, Min, OuterRef, Subquery

CHUNK = 50_000


def fill(apps, schema_editor):
    Assignment = apps.get_model("rivers", "ChiefAssignment")
    River = apps.get_model("rivers", "River")
    db = schema_editor.connection.alias
    rows = Assignment.objects.using(db)
    bounds = rows.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return
    code = River.objects.using(db).filter(pk=OuterRef("river_id")).values("code")[:1]
    for start in range(bounds["low"], bounds["high"] + 1, CHUNK):
        with transaction.atomic(using=db):
            rows.filter(id__gte=start, id__lt=start + CHUNK).update(river_code=Subquery(code))


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("rivers", "0004_river_code_covering_index")]

    operations = [
        migrations.AddField(
            model_name="chiefassignment",
            name="river_code",
            field=models.CharField(
                blank=True, editable=False, max_length=30, verbose_name="河道编码"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
