"""Cache busting only (STYLE.md): a patrol saved or deleted drops the remembered list counts
of every scope that sees it (``patrols.selectors.counts``), once its transaction commits —
a count made before the commit would otherwise be remembered under the new generation.

Single saves and deletes only: a bulk write sends no signal (an addition still shows by the
newest id, anything else within ``PATROL_COUNT_CACHE_SECONDS``). A patrol keeps the region
it was made in, so its region now is the one whose counts change.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from core.models import Region
from patrols.models import Patrol
from patrols.selectors.counts import patrols_changed


def _changed(sender, instance: Patrol, using: str, **kwargs) -> None:
    if Patrol.region.is_cached(instance):
        code = instance.region.code
    else:
        code = (
            Region.objects.using(using)
            .filter(pk=instance.region_id)
            .values_list("code", flat=True)
            .first()
        )
    if code is not None:
        transaction.on_commit(lambda: patrols_changed(region_code=code), using=using)


def connect() -> None:
    post_save.connect(_changed, sender=Patrol, dispatch_uid="patrols_count_saved")
    post_delete.connect(_changed, sender=Patrol, dispatch_uid="patrols_count_deleted")
