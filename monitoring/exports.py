"""Excel files: the office list of rivers, and the blank lab template."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core import xlsx
from monitoring import standards
from monitoring.labfile import META_HEADERS
from monitoring.periods import Period

BAD = PatternFill("solid", fgColor="FDECEA")
WARN = PatternFill("solid", fgColor="FFF3D6")
EXPORT_ITEMS = ["do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "ph", "transparency", "orp"]


def river_list_xlsx(rows, *, period: Period) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(period)[:31]
    header = [
        _("河道编码"),
        _("河道名称"),
        _("所在村/居委"),
        _("水质目标"),
        _("水质类别"),
        _("水质状况"),
        _("是否达标"),
        _("定类项目（超标倍数）"),
        _("黑臭等级"),
        _("上期类别"),
        _("较上期"),
        _("点位数"),
        _("水样数"),
    ]
    header += [
        f"{standards.PARAMETERS[c].label}({standards.PARAMETERS[c].unit})"
        if standards.PARAMETERS[c].unit
        else standards.PARAMETERS[c].label
        for c in EXPORT_ITEMS
    ]
    xlsx.append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    trend_words = {"better": _("好转"), "worse": _("变差"), "same": _("持平")}
    for row in rows:
        s = row.status
        xlsx.append(
            ws,
            [
                row.river.code,
                row.river.name,
                "、".join(v.name for v in row.villages),
                standards.class_label(s.target_class),
                s.class_label if s.water_class else _("无数据"),
                str(s.quality.label) if s.quality else "",
                "" if s.meets_target is None else (_("达标") if s.meets_target else _("未达标")),
                "、".join(i.describe() for i in s.deciding),
                str(s.black_odour.label) if s.black_odour is not None else "",
                s.previous_label if s.previous_class else "",
                str(trend_words.get(s.trend, "")),
                s.point_count,
                s.sample_count,
                *[
                    round(s.means[c], standards.PARAMETERS[c].decimals) if c in s.means else None
                    for c in EXPORT_ITEMS
                ],
            ],
        )
        fill = BAD if s.is_worse_than_v else WARN if s.meets_target is False else None
        if fill:
            for cell in ws[ws.max_row]:
                cell.fill = fill
    ws.freeze_panes = "C2"
    for col, width in zip("ABCDEFGHI", (12, 14, 20, 9, 9, 10, 8, 26, 10), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def lab_template_xlsx() -> bytes:
    """A blank lab sheet with the headers the importer reads."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("化验单")
    header = [
        META_HEADERS["point"][0],
        META_HEADERS["sampled_at"][0],
        META_HEADERS["sampler"][0],
        META_HEADERS["lab"][0],
        META_HEADERS["client_key"][0],
        "水深(cm)",
    ]
    header += [f"{p.name}({p.unit or '无量纲'})" for p in standards.CORE_PARAMETERS]
    xlsx.append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
