"""Authenticity flags of stored patrols: refresh one, or recompute many after a policy change."""

from datetime import datetime

from django.db import transaction

from patrols import authenticity
from patrols.models import AuthenticityPolicy, FindingPhoto, Patrol, TrackPoint


def refresh_flags(patrol: Patrol, *, policy: AuthenticityPolicy | None = None) -> list[str]:
    """Recompute a finished patrol's flags from its points, photos and river (not saved)."""
    if patrol.ended_at is None:
        return patrol.flags
    policy = policy or AuthenticityPolicy.for_region(patrol.region)
    fixes = list(
        patrol.points.order_by("recorded_at").values_list("recorded_at", "latitude", "longitude")
    )
    photo_times = list(
        FindingPhoto.objects.filter(finding__patrol=patrol).values_list("taken_at", flat=True)
    )
    patrol.flags = authenticity.compute_flags(
        started_at=patrol.started_at,
        ended_at=patrol.ended_at,
        points=fixes,
        has_track=patrol.source != Patrol.Source.MANUAL or bool(fixes),
        photo_times=photo_times,
        river_geometry=patrol.river.geometry,
        river_crs=patrol.river.geometry_crs,
        thresholds=authenticity.Thresholds.of(policy),
    )
    return patrol.flags


def recompute_flags(*, since: datetime, batch_size: int = 500) -> int:
    """Recompute the flags of finished patrols started since ``since`` with today's policy.

    Run after the office changes a threshold. Idempotent; a patrol whose flags do not change is
    not written. Three queries per batch (patrols with rivers, their points, their photos).
    Returns how many patrols changed.
    """
    from simple_history.utils import bulk_update_with_history

    # Each patrol is judged by the thresholds of its own town (or district, or the default).
    policies = AuthenticityPolicy.by_code()
    thresholds_of = {code: authenticity.Thresholds.of(p) for code, p in policies.items()}
    qs = (
        Patrol.objects.filter(status=Patrol.Status.FINISHED, started_at__gte=since)
        .select_related("river", "region")
        .order_by("pk")
    )
    changed_total, last_pk = 0, 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return changed_total
        last_pk = batch[-1].pk
        ids = [p.pk for p in batch]
        fixes: dict[int, list] = {pk: [] for pk in ids}
        for pk, at, lat, lon in (
            TrackPoint.objects.filter(patrol_id__in=ids)
            .order_by("patrol_id", "recorded_at")
            .values_list("patrol_id", "recorded_at", "latitude", "longitude")
        ):
            fixes[pk].append((at, lat, lon))
        photos: dict[int, list] = {pk: [] for pk in ids}
        for pk, taken_at in FindingPhoto.objects.filter(finding__patrol_id__in=ids).values_list(
            "finding__patrol_id", "taken_at"
        ):
            photos[pk].append(taken_at)
        changed = []
        for patrol in batch:
            flags = authenticity.compute_flags(
                started_at=patrol.started_at,
                ended_at=patrol.ended_at,
                points=fixes[patrol.pk],
                has_track=patrol.source != Patrol.Source.MANUAL or bool(fixes[patrol.pk]),
                photo_times=photos[patrol.pk],
                river_geometry=patrol.river.geometry,
                river_crs=patrol.river.geometry_crs,
                thresholds=thresholds_of[_policy_code(policies, patrol.region.code)],
            )
            if flags != patrol.flags:
                patrol.flags = flags
                changed.append(patrol)
        if changed:
            with transaction.atomic():
                bulk_update_with_history(
                    changed, Patrol, ["flags"], default_change_reason="recomputed flags"
                )
        changed_total += len(changed)


def _policy_code(policies: dict, code: str) -> str:
    policy = AuthenticityPolicy.pick(policies, code)
    return policy.region.code if policy.region_id else ""
