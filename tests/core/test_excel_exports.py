"""Issue 13, items 8-9: exports write stored text as text, and survive control characters."""

import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_the_duty_export_writes_a_formula_like_name_as_text_and_drops_control_characters(
    two_towns, client
):
    d = two_towns
    d.chief_a1.last_name = '=HYPERLINK("http://evil.example","点我")'
    d.chief_a1.first_name = "\x07"
    d.chief_a1.save()
    d.village_a1.name = "@SUM(1+1)\x1b村"
    d.village_a1.save()
    client.force_login(d.office_a)
    response = client.get("/patrols/duty.xlsx?month=2018-03")
    assert response.status_code == 200
    written = cells(response.content)
    hostile = [c for c in written if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert hostile, "the hostile names are in the export"
    assert all(c.data_type == "s" for c in hostile)
    assert not any("\x07" in str(c.value) or "\x1b" in str(c.value) for c in written)


def test_the_orders_export_writes_a_formula_like_river_name_as_text(two_towns, client):
    from datetime import date

    from directives.services import issue_directive

    d = two_towns
    d.river_a1.name = "+cmd|' /C calc'!A0"
    d.river_a1.save()
    issue_directive(
        issued_by=d.office_a,
        river=d.river_a1,
        title="=1+1",
        description="漂浮物",
        deadline=date(2030, 1, 1),
        source="phone_report",
        target_village=d.village_a1,
        notify_target=False,
    )
    client.force_login(d.office_a)
    year = date.today().year
    response = client.get(f"/directives/export.xlsx?year={year}")
    assert response.status_code == 200
    written = {c.value: c for c in cells(response.content)}
    assert written["+cmd|' /C calc'!A0"].data_type == "s"
    assert written["=1+1"].data_type == "s"
    assert written["+cmd|' /C calc'!A0"].quotePrefix
