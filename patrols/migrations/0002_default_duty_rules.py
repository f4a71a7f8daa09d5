"""The default duty rules of shared/reference/patrol-rules.md; the office can change them."""

from django.db import migrations

DEFAULTS = [
    ("district", "quarter", "区级河长每季度至少巡河一次（河南 2018、汉中等地通行做法）"),
    ("town", "month", "镇级河长每月至少巡河一次"),
    ("village", "week", "村级河长每周至少巡河一次（按 ISO 周，北京时间）"),
]


def create_defaults(apps, schema_editor):
    DutyRule = apps.get_model("patrols", "DutyRule")
    if DutyRule.objects.exists():
        return
    DutyRule.objects.bulk_create(
        DutyRule(level=level, period=period, times=1, note=note)
        for level, period, note in DEFAULTS
    )


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
