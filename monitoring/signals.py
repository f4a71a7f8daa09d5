"""Cache busting only (STYLE.md): stored river statuses go when what they were computed from
changes through a model's save or delete. Bulk writes call ``status_store`` themselves (the
sample services do); these signals catch the single saves (admin, services, shell).

Samples' stamps (``Sample.stamp``): a save whose values are not the ones stamped drops the
stamp (the lists then compute it live), and a river whose target or water type changes, or a
point moved to another river, has its samples stamped again once the change commits.
"""

from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from monitoring import status_store
from monitoring.models import STAMP_FIELDS, MonitoringPoint, Sample
from rivers.models import River

MISSING = object()  # a deferred field: its value was not loaded
WATCHED = {
    Sample: ("point_id", "sampled_at"),
    # The point's order along the river (position, then code) decides the black-odour runs;
    # an active point without data breaks a run; the region decides a town's letter.
    MonitoringPoint: ("river_id", "position", "code", "is_active", "region_id"),
    River: ("target_class", "water_type"),
}


def _values(instance) -> dict:
    return {name: instance.__dict__.get(name, MISSING) for name in WATCHED[type(instance)]}


def _remember(sender, instance, **kwargs) -> None:
    instance._status_was = _values(instance)


def _changed(instance) -> bool:
    was, now = getattr(instance, "_status_was", {}), _values(instance)
    return any(was.get(name, MISSING) != value for name, value in now.items())


for model in WATCHED:
    post_init.connect(_remember, sender=model, dispatch_uid=f"status_was_{model.__name__}")


def _sample_days(instance, was: dict) -> dict:
    by_point: dict[int, set] = {}
    for point_id, sampled_at in (
        (instance.point_id, instance.sampled_at),
        (was.get("point_id"), was.get("sampled_at")),
    ):
        if point_id not in (None, MISSING) and sampled_at not in (None, MISSING):
            by_point.setdefault(point_id, set()).add(timezone.localdate(sampled_at))
    return status_store.river_days_of(by_point)


@receiver(pre_save, sender=Sample, dispatch_uid="stamp_sample_saving")
def sample_saving(sender, instance: Sample, **kwargs) -> None:
    # A stamp is kept only when this instance was stamped from the values it saves; any
    # other save (a sample loaded, changed and saved) drops it, and it is stamped again
    # once the save commits (``sample_saved``).
    if getattr(instance, "_stamped", None) != instance.fingerprint():
        for name in STAMP_FIELDS:
            setattr(instance, name, "" if name == "assessed_as" else None)


def _restamp_on_commit(*, river_ids=None, point_ids=None) -> None:
    from monitoring.tasks import restamp_samples

    restamp_samples.delay_on_commit(river_ids=river_ids, point_ids=point_ids)


@receiver(post_save, sender=Sample, dispatch_uid="status_sample_saved")
def sample_saved(sender, instance: Sample, **kwargs) -> None:
    if not instance.assessed_as:
        _restamp_on_commit(point_ids=[instance.point_id])
    # Any field may be a value the status reads: every save of a sample counts.
    status_store.samples_changed(
        river_days=_sample_days(instance, getattr(instance, "_status_was", {}))
    )
    _remember(sender, instance)


@receiver(post_delete, sender=Sample, dispatch_uid="status_sample_deleted")
def sample_deleted(sender, instance: Sample, **kwargs) -> None:
    status_store.samples_changed(river_days=_sample_days(instance, {}))


@receiver(post_save, sender=MonitoringPoint, dispatch_uid="status_point_saved")
def point_saved(sender, instance: MonitoringPoint, created: bool, **kwargs) -> None:
    if created or _changed(instance):
        was = getattr(instance, "_status_was", {}).get("river_id")
        status_store.rivers_changed(river_ids=[instance.river_id, None if was is MISSING else was])
        if not created and was != instance.river_id:
            _restamp_on_commit(point_ids=[instance.pk])
    _remember(sender, instance)


@receiver(post_delete, sender=MonitoringPoint, dispatch_uid="status_point_deleted")
def point_deleted(sender, instance: MonitoringPoint, **kwargs) -> None:
    status_store.rivers_changed(river_ids=[instance.river_id])


@receiver(post_save, sender=River, dispatch_uid="status_river_saved")
def river_saved(sender, instance: River, created: bool, **kwargs) -> None:
    if not created and _changed(instance):
        status_store.rivers_changed(river_ids=[instance.pk])
        _restamp_on_commit(river_ids=[instance.pk])
    _remember(sender, instance)
