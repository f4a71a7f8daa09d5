from directives.views.inspections import (
    round_create,
    round_detail,
    round_list,
    work_order_create,
    work_order_reply,
)
from directives.views.orders import (
    export_xlsx,
    my_orders,
    order_action,
    order_board,
    order_create,
    order_detail,
    order_from_finding,
    order_pdf,
    statistics,
)

__all__ = [
    "export_xlsx",
    "my_orders",
    "order_action",
    "order_board",
    "order_create",
    "order_detail",
    "order_from_finding",
    "order_pdf",
    "round_create",
    "round_detail",
    "round_list",
    "statistics",
    "work_order_create",
    "work_order_reply",
]
