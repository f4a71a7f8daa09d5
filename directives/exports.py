"""Excel export of a year's orders (openpyxl)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core import xlsx


def orders_workbook(*, orders, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    header = [
        _("文号"),
        _("事由"),
        _("河道"),
        _("来源"),
        _("严重程度"),
        _("责任单位"),
        _("下发日期"),
        _("整改期限"),
        _("状态"),
        _("整改完成"),
        _("按期"),
        _("整改用时（天）"),
    ]
    xlsx.append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for d in orders:
        on_time = d.rectified_on_time()
        xlsx.append(
            ws,
            [
                d.number,
                d.title,
                d.river.name,
                d.get_source_display(),
                d.get_severity_display(),
                d.target_label,
                d.issued_on,
                d.deadline,
                d.get_status_display(),
                d.rectified_at.date() if d.rectified_at else None,
                "" if on_time is None else (_("是") if on_time else _("否")),
                d.days_to_rectify(),
            ],
        )
    for col, width in zip(
        "ABCDEFGHIJKL", [26, 30, 14, 14, 8, 18, 12, 12, 12, 12, 6, 12], strict=True
    ):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
