"""Reads for the small water bodies: the annual report's count, the office's progress per
village, the chief's list on the phone and the API."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from core.models import Region, User
from plans.models import Measure
from rivers.models import WaterBody
from smallwater.models import Care, Classification


def water_bodies_inspected(*, region: Region, year: int) -> int:
    """Small water bodies inside ``region`` inspected (and classified) in ``year``."""
    return (
        Care.objects.filter(
            water_body__village__code__startswith=region.code,
            inspected_on__year=year,
        )
        .exclude(classification="")
        .count()
    )


def water_bodies_for(*, user: User, village: Region | None = None) -> QuerySet[WaterBody]:
    """Bodies the user may see, with their care row, policy and measures (constant queries)."""
    qs = (
        WaterBody.objects.visible_to(user)
        .select_related("village", "care__responsible__user", "policy")
        .prefetch_related(
            Prefetch(
                "policy__measures",
                queryset=Measure.objects.order_by("deadline", "id"),
            )
        )
        .order_by("code")
    )
    if village is not None:
        qs = qs.filter(village=village)
    return qs


@dataclass
class VillageProgress:
    village: Region
    bodies: int
    inspected: int
    with_policy: int
    measures: int
    measures_done: int
    by_class: dict

    @property
    def percent_done(self) -> int:
        return round(100 * self.measures_done / self.measures) if self.measures else 0


def progress_by_village(*, user: User) -> list[VillageProgress]:
    """The office's view: per village, bodies, inspected, with a policy, measures done."""
    villages = {
        v.pk: v
        for v in Region.objects.filter(
            pk__in=WaterBody.objects.visible_to(user).values("village")
        ).order_by("code")
    }
    counts = (
        WaterBody.objects.visible_to(user)
        .values("village")
        .annotate(
            bodies=Count("id"),
            inspected=Count("id", filter=~Q(care__classification="") & Q(care__isnull=False)),
            with_policy=Count("policy", distinct=True),
        )
    )
    measures = (
        Measure.objects.filter(
            water_body_policies__water_body__in=WaterBody.objects.visible_to(user)
        )
        .values("water_body_policies__water_body__village")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=Measure.Status.DONE)))
    )
    measure_counts = {m["water_body_policies__water_body__village"]: m for m in measures}
    classes = (
        Care.objects.visible_to(user)
        .exclude(classification="")
        .values("water_body__village", "classification")
        .annotate(n=Count("id"))
    )
    by_class: dict[int, dict] = {}
    for row in classes:
        by_class.setdefault(row["water_body__village"], {})[row["classification"]] = row["n"]
    rows = []
    for c in counts:
        m = measure_counts.get(c["village"], {})
        rows.append(
            VillageProgress(
                village=villages[c["village"]],
                bodies=c["bodies"],
                inspected=c["inspected"],
                with_policy=c["with_policy"],
                measures=m.get("n", 0),
                measures_done=m.get("done", 0),
                by_class={
                    label: by_class.get(c["village"], {}).get(value, 0)
                    for value, label in Classification.choices
                },
            )
        )
    return sorted(rows, key=lambda r: r.village.code)
