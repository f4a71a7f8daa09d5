"""Cache busting only (STYLE.md): a patrol saved or deleted drops what the lists and the
statistics of every scope that sees it remembered (``patrols.selectors.counts``,
``patrols.selectors.stats``), once its transaction commits — a count made before the commit
would otherwise be remembered under the new generation. A finding added to a patrol, taken
off it or deleted does the same for its patrol's scopes (the statistics count findings).

A patrol moved to another region (the admin can) drops both regions' scopes: a full save of
a stored patrol reads the region it had first (one lookup by primary key). Single saves and
deletes only: a bulk write sends no signal (an addition still shows by the newest id,
anything else within ``PATROL_COUNT_CACHE_SECONDS``).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from core.models import Region
from patrols.models import Finding, Patrol
from patrols.selectors.counts import patrols_changed


def _code_of(instance: Patrol, using: str) -> str | None:
    if Patrol.region.is_cached(instance) and instance.region is not None:
        return instance.region.code
    return (
        Region.objects.using(using)
        .filter(pk=instance.region_id)
        .values_list("code", flat=True)
        .first()
    )


def _before(sender, instance: Patrol, using: str, update_fields=None, **kwargs) -> None:
    if instance._state.adding or (update_fields is not None and "region" not in update_fields):
        return
    instance._stored_region_code = (
        Patrol.objects.using(using)
        .filter(pk=instance.pk)
        .values_list("region__code", flat=True)
        .first()
    )


def _changed(sender, instance: Patrol, using: str, **kwargs) -> None:
    codes = {_code_of(instance, using), instance.__dict__.pop("_stored_region_code", None)}
    codes.discard(None)
    if codes:
        transaction.on_commit(lambda: patrols_changed(*codes), using=using)


def _patrol_region_code(patrol_id: int | None, using: str) -> str | None:
    if patrol_id is None:
        return None
    return (
        Patrol.objects.using(using)
        .filter(pk=patrol_id)
        .values_list("region__code", flat=True)
        .first()
    )


def _finding_before(sender, instance: Finding, using: str, update_fields=None, **kwargs) -> None:
    if instance._state.adding or (update_fields is not None and "patrol" not in update_fields):
        return
    instance._stored_patrol_id = (
        Finding.objects.using(using)
        .filter(pk=instance.pk)
        .values_list("patrol_id", flat=True)
        .first()
    )


def _finding_changed(sender, instance: Finding, using: str, created: bool = True, **kwargs) -> None:
    """A finding counts in the statistics of its patrol: only its creation, its deletion and a
    move to another patrol change them (not its status or its note)."""
    stored = instance.__dict__.pop("_stored_patrol_id", instance.patrol_id)
    if not created and stored == instance.patrol_id:
        return
    codes = {_patrol_region_code(stored, using)} if stored != instance.patrol_id else set()
    patrol = instance.patrol if Finding.patrol.is_cached(instance) else None
    if patrol is not None and patrol.pk == instance.patrol_id:
        codes.add(_code_of(patrol, using))  # the patrol the service holds: no lookup
    else:
        codes.add(_patrol_region_code(instance.patrol_id, using))
    codes.discard(None)
    if codes:
        transaction.on_commit(lambda: patrols_changed(*codes), using=using)


def connect() -> None:
    pre_save.connect(_before, sender=Patrol, dispatch_uid="patrols_list_before_save")
    post_save.connect(_changed, sender=Patrol, dispatch_uid="patrols_list_saved")
    post_delete.connect(_changed, sender=Patrol, dispatch_uid="patrols_list_deleted")
    pre_save.connect(_finding_before, sender=Finding, dispatch_uid="patrols_finding_before_save")
    post_save.connect(_finding_changed, sender=Finding, dispatch_uid="patrols_finding_saved")
    post_delete.connect(_finding_changed, sender=Finding, dispatch_uid="patrols_finding_deleted")
