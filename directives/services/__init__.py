"""Every write to orders, work orders and alerts. Split by topic; import from here."""

from directives.services.alerts import send_deadline_alerts
from directives.services.extensions import decide_extension, request_extension
from directives.services.inspections import (
    create_inspection_round,
    create_work_order,
    reply_to_work_order,
)
from directives.services.orders import issue_directive
from directives.services.workflow import (
    TRANSITIONS,
    accept_directive,
    close_directive,
    return_directive,
    submit_rectification,
)

__all__ = [
    "TRANSITIONS",
    "accept_directive",
    "close_directive",
    "create_inspection_round",
    "create_work_order",
    "decide_extension",
    "issue_directive",
    "reply_to_work_order",
    "request_extension",
    "return_directive",
    "send_deadline_alerts",
    "submit_rectification",
]
