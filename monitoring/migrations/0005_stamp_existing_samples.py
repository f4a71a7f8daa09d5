"""Stamp the samples recorded before stamps existed (``monitoring.stamps.restamp``).

Not atomic: each chunk of 2,000 samples commits on its own, so an interrupted run keeps what
it stamped and the next run (``manage.py migrate``, or ``manage.py restamp_samples``) goes on
from there. A sample not stamped yet is assessed live when read: nothing is wrong meanwhile.
"""

from django.db import migrations


def stamp_existing(apps, schema_editor):
    from monitoring import stamps

    stamps.restamp(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitoring", "0004_sample_stamp"),
    ]

    operations = [
        migrations.RunPython(stamp_existing, migrations.RunPython.noop, elidable=True),
    ]
