"""Supervision orders (督办单), their rectification evidence and timeline; inspection rounds and
the work orders (工作指令) of inspection groups.

Rules live in ``directives.services``; the models hold fields, the database invariants
(a deadline no earlier than the issue date, one number per town and year) and small pure
methods over a row's own fields. Overdue is derived from the deadline, never stored.
"""

from directives.models.inspections import (
    InspectionRound,
    InspectionRoundQuerySet,
    WorkOrder,
    WorkOrderQuerySet,
    WorkOrderReply,
)
from directives.models.orders import (
    AWAITING_TARGET,
    OPEN,
    Attachment,
    Directive,
    DirectiveQuerySet,
    Event,
    ExtensionRequest,
    OrderCounter,
    Rectification,
    Severity,
    Source,
    Status,
    attachment_path,
    local_day,
)

__all__ = [
    "AWAITING_TARGET",
    "OPEN",
    "Attachment",
    "Directive",
    "DirectiveQuerySet",
    "Event",
    "ExtensionRequest",
    "InspectionRound",
    "InspectionRoundQuerySet",
    "OrderCounter",
    "Rectification",
    "Severity",
    "Source",
    "Status",
    "WorkOrder",
    "WorkOrderQuerySet",
    "WorkOrderReply",
    "attachment_path",
    "local_day",
]
