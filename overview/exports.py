"""Documents of the overview: the annual report as PDF (WeasyPrint, Noto Sans CJK SC) and as
an Excel workbook, the month's scorecards as Excel. Same selectors as the pages."""

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core import xlsx

BOLD = Font(bold=True)


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
    xlsx.append(
        ws,
        [_("%(town)s%(year)s年河长制工作总结") % {"town": report.town.name, "year": report.year}],
    )
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    xlsx.append(ws, [_("章节"), _("项目"), _("数值"), _("单位"), _("代码")])
    for cell in ws[3]:
        cell.font = BOLD
    for section in report.sections:
        for figure in section.figures:
            value = figure.value
            if not isinstance(value, int | float):
                value = float(value)
            xlsx.append(ws, [section.title, figure.label, value, figure.unit, figure.key])
    for i, width in enumerate([24, 34, 12, 8, 28], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    text = wb.create_sheet(_("文字")[:31])
    xlsx.append(text, [_("章节"), _("内容")])
    for cell in text[1]:
        cell.font = BOLD
    for key, body in narratives.items():
        if body:
            xlsx.append(text, [key, body])
    text.column_dimensions["A"].width = 16
    text.column_dimensions["B"].width = 100
    for row in text.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(wb)


def scorecards_workbook(*, town, month, cards, items: dict) -> bytes:
    """The month's scorecards, one row each, with every item's figure."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    keys = list(items)
    header = [_("对象"), _("村/居委"), _("河长"), _("得分"), _("等次")]
    header += [f"{items[k]}（%）" for k in keys] + [_("规则版本")]
    xlsx.append(ws, header)
    for cell in ws[1]:
        cell.font = BOLD
    for card in cards:
        by_key = {i["key"]: i for i in card.items}
        village = card.village or (card.chief.region if card.chief else None)
        xlsx.append(
            ws,
            [
                str(card.get_subject_display()),
                (village.name if village else ""),
                (card.chief.user.display_name if card.chief else ""),
                float(card.score) if card.score is not None else None,
                card.band,
                *[by_key.get(k, {}).get("score") for k in keys],
                f"{card.rules.valid_from:%Y-%m}",
            ],
        )
    for i, width in enumerate([8, 14, 12, 8, 8, *[14] * len(keys), 10], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return _bytes(wb)
