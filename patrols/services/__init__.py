"""Writes: every change to a patrol, a finding or a rule goes through these functions."""

from patrols.services.findings import (
    dismiss_finding,
    mark_finding_ordered,
    mark_finding_resolved,
    set_finding_status,
)

__all__ = [
    "dismiss_finding",
    "mark_finding_ordered",
    "mark_finding_resolved",
    "set_finding_status",
]
