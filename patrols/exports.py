"""Excel exports (openpyxl) of the duty table and the statistics: same selectors as the pages."""

import io
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core import xlsx
from patrols.selectors import Stats

HEADER_FONT = Font(bold=True)
BEHIND_FILL = PatternFill("solid", fgColor="FDECEA")


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], widths=None):
    ws = wb.active if wb.active.title == "~" else wb.create_sheet()
    ws.title = title[:31]
    xlsx.append(ws, header)
    for cell in ws[1]:
        cell.font = HEADER_FONT
    for row in rows:
        xlsx.append(ws, row)
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _workbook() -> Workbook:
    wb = Workbook()
    wb.active.title = "~"  # the first sheet is still unused
    return wb


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def duty_workbook(*, month: date, rows: list[tuple]) -> bytes:
    """``rows``: (chief, duty) pairs as the duty page shows them."""
    wb = _workbook()
    data = []
    for chief, duty in rows:
        data.append(
            [
                str(chief.user),
                chief.get_level_display(),
                chief.region.name,
                duty.done,
                duty.required,
                _("是") if duty.behind else _("否"),
                "、".join(p.span.key for p in duty.missed),
            ]
        )
    ws = _sheet(
        wb,
        _("%(month)s 巡河履职") % {"month": f"{month:%Y-%m}"},
        [
            _("河长"),
            _("级别"),
            _("区划"),
            _("已巡"),
            _("应巡"),
            pgettext("patrol duty", "未达标"),
            _("未达标周期"),
        ],
        data,
        widths=[14, 8, 14, 8, 8, 8, 30],
    )
    for row in ws.iter_rows(min_row=2):
        if row[5].value == _("是"):
            for cell in row:
                cell.fill = BEHIND_FILL
    return _bytes(wb)


def stats_workbook(*, stats: Stats, group_label: str) -> bytes:
    wb = _workbook()
    rows = [[r.label, r.extra, r.chiefs, r.patrols, r.km, r.hours, r.findings] for r in stats.rows]
    t = stats.total
    rows.append([t.label, "", "", t.patrols, t.km, t.hours, t.findings])
    _sheet(
        wb,
        _("%(year)d年巡河统计") % {"year": stats.year},
        [
            group_label,
            "",
            _("河长数"),
            _("巡河次数"),
            _("里程（公里）"),
            _("时长（小时）"),
            _("发现问题"),
        ],
        rows,
        widths=[16, 14, 8, 10, 12, 12, 10],
    )
    ws = wb.create_sheet(_("说明"))
    for sentence in stats.sentences:
        xlsx.append(ws, [sentence])
    return _bytes(wb)
