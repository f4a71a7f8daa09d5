"""Issue 13, item 8: an export never fails on a control character in a stored name."""

import io
from types import SimpleNamespace

from openpyxl import load_workbook

from overview.exports import report_workbook


def test_the_annual_report_workbook_drops_control_characters_and_keeps_formulas_text():
    report = SimpleNamespace(
        town=SimpleNamespace(name="朱泾镇"),
        year=2026,
        sections=[
            SimpleNamespace(
                title="=HYPERLINK(1)",
                figures=[SimpleNamespace(value=3, label="河道\x01数", unit="条", key="rivers")],
            )
        ],
    )
    data = report_workbook(report=report, narratives={"summary": "坏\x00\x07文字"})
    wb = load_workbook(io.BytesIO(data))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert ("=HYPERLINK(1)", "河道数", 3, "条", "rivers") in rows
    assert wb.worksheets[0]["A4"].data_type == "s"
    assert list(wb.worksheets[1].iter_rows(values_only=True))[1] == ("summary", "坏文字")
