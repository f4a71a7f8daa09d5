"""Pages: thin callers of the selectors and services, split by topic."""

from patrols.views.duty import duty, duty_export, policy_edit, rule_edit, rules
from patrols.views.findings import (
    finding_add,
    finding_detail,
    finding_dismiss,
    finding_list,
    finding_photo,
)
from patrols.views.patrols import (
    patrol_detail,
    patrol_list,
    patrol_record,
    patrol_review,
    patrol_start,
    river_patrols,
)
from patrols.views.stats import stats, stats_export

__all__ = [
    "duty",
    "duty_export",
    "finding_add",
    "finding_detail",
    "finding_dismiss",
    "finding_list",
    "finding_photo",
    "patrol_detail",
    "patrol_list",
    "patrol_record",
    "patrol_review",
    "patrol_start",
    "policy_edit",
    "river_patrols",
    "rule_edit",
    "rules",
    "stats",
    "stats_export",
]
