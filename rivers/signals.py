"""A stored copy kept fresh (STYLE.md: signals for caches only): ``ChiefAssignment.river_code``,
the river's code on each assignment, which orders a chief's rivers without reading them.

Single saves only (admin, services, shell): ``bulk_create`` and ``QuerySet.update`` send no
signal, and their callers use ``rivers.models.fill_river_codes``.
"""

from django.db.models.signals import post_init, post_save, pre_save
from django.dispatch import receiver

from rivers.models import ChiefAssignment, River, fill_river_codes


@receiver(pre_save, sender=ChiefAssignment, dispatch_uid="assignment_river_code")
def assignment_saving(sender, instance: ChiefAssignment, **kwargs) -> None:
    if instance.river_id is None:
        return
    river = ChiefAssignment.river.field.get_cached_value(instance, default=None)
    if river is not None and river.pk == instance.river_id:
        instance.river_code = river.code
    else:
        instance.river_code = (
            River.objects.filter(pk=instance.river_id).values_list("code", flat=True).first() or ""
        )


@receiver(post_init, sender=River, dispatch_uid="river_code_was")
def river_loaded(sender, instance: River, **kwargs) -> None:
    instance._code_was = instance.__dict__.get("code")


@receiver(post_save, sender=River, dispatch_uid="river_code_changed")
def river_saved(sender, instance: River, created: bool, **kwargs) -> None:
    if not created and instance.code != getattr(instance, "_code_was", None):
        fill_river_codes(ChiefAssignment.objects.filter(river_id=instance.pk))
    instance._code_was = instance.code
