"""Writes: every change to a patrol, a finding or a rule goes through these functions."""

from patrols.services.findings import (
    add_finding_photo,
    dismiss_finding,
    mark_finding_ordered,
    mark_finding_resolved,
    report_finding,
    set_finding_status,
)
from patrols.services.flags import recompute_flags, refresh_flags
from patrols.services.patrols import (
    add_track_points,
    finish_patrol,
    parse_gpx,
    record_patrol,
    review_patrol,
    start_patrol,
)
from patrols.services.rules import own_copy, own_policy, save_duty_rule, save_policy

__all__ = [
    "add_finding_photo",
    "add_track_points",
    "dismiss_finding",
    "finish_patrol",
    "mark_finding_ordered",
    "mark_finding_resolved",
    "own_copy",
    "own_policy",
    "parse_gpx",
    "recompute_flags",
    "record_patrol",
    "refresh_flags",
    "report_finding",
    "review_patrol",
    "save_duty_rule",
    "save_policy",
    "set_finding_status",
    "start_patrol",
]
