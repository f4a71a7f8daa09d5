"""Documents of the overview: the annual report as PDF (WeasyPrint, Noto Sans CJK SC) and as
an Excel workbook, the month's scorecards as Excel. Same selectors as the pages."""

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

BOLD = Font(bold=True)


def _safe(value):
    """A cell that Excel never takes for a formula (text beginning with = + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf(*, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("overview/report_pdf.html", context)
    return HTML(string=html).write_pdf()


def report_workbook(*, report, narratives: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("数据")[:31]
    ws.append(
        [_("%(town)s%(year)s年河长制工作总结") % {"town": report.town.name, "year": report.year}]
    )
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append([_("章节"), _("项目"), _("数值"), _("单位"), _("代码")])
    for cell in ws[3]:
        cell.font = BOLD
    for section in report.sections:
        for figure in section.figures:
            value = figure.value
            if not isinstance(value, int | float):
                value = float(value)
            ws.append([_safe(section.title), _safe(figure.label), value, figure.unit, figure.key])
    for i, width in enumerate([24, 34, 12, 8, 28], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    text = wb.create_sheet(_("文字")[:31])
    text.append([_("章节"), _("内容")])
    for cell in text[1]:
        cell.font = BOLD
    for key, body in narratives.items():
        if body:
            text.append([key, _safe(body)])
    text.column_dimensions["A"].width = 16
    text.column_dimensions["B"].width = 100
    for row in text.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(wb)
