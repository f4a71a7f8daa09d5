"""The annual report's pages: HTML with the office's paragraphs, PDF and Excel; scoped to the
town; a constant number of queries."""

import io
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from directives import services as directives
from overview.models import ReportNarrative
from tests import factories

pytestmark = pytest.mark.django_db


def _orders(d, n):
    for i in range(n):
        directives.issue_directive(
            issued_by=d.office_a, river=d.river_a1, title=f"问题{i}", description="桥下垃圾",
            issued_on=date(2025, 3, 1), deadline=date(2025, 3, 10), source="phone_report",
            target_village=d.village_a1,
        )  # fmt: skip


def test_the_report_counts_the_towns_own_rivers_and_orders_of_the_year(client, two_towns):
    d = two_towns
    _orders(d, 2)
    client.force_login(d.office_a)
    response = client.get(reverse("overview:report"), {"year": 2025})
    report = response.context["report"]
    assert report.value("rivers") == 2  # river_a1, river_a2; the border river is town B's
    assert report.value("orders_issued") == 2
    assert 'data-key="orders_issued"' in response.content.decode()


def test_the_office_writes_a_paragraph_that_the_report_and_its_documents_show(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    url = reverse("overview:report")
    response = client.post(
        url, {"town": d.town_a.code, "year": 2025, "section": "orders", "text": "全年督办有力。"}
    )
    assert response.status_code == 302
    assert ReportNarrative.objects.get(town=d.town_a, year=2025, section="orders").text == (
        "全年督办有力。"
    )
    assert "全年督办有力。" in client.get(url, {"year": 2025}).content.decode()
    xlsx = client.get(reverse("overview:report-xlsx"), {"year": 2025})
    texts = [
        c.value for row in load_workbook(io.BytesIO(xlsx.content))["文字"].iter_rows() for c in row
    ]
    assert "全年督办有力。" in texts


def test_a_paragraph_for_an_unknown_section_is_refused_with_a_message(client, two_towns):
    client.force_login(two_towns.office_a)
    client.post(reverse("overview:report"), {"year": 2025, "section": "nope", "text": "x"})
    assert not ReportNarrative.objects.exists()


@pytest.mark.parametrize("who", ["office_b", "chief_a1", "town_chief_a"])
def test_others_cannot_read_town_as_report(client, two_towns, who):
    d = two_towns
    client.force_login(getattr(d, who))
    for name in ("overview:report", "overview:report-pdf", "overview:report-xlsx"):
        assert client.get(reverse(name), {"town": d.town_a.code}).status_code == 403


def test_the_inspector_reads_town_as_report_but_cannot_write_its_paragraphs(client, two_towns):
    d = two_towns
    client.force_login(d.inspector)
    assert client.get(reverse("overview:report"), {"town": d.town_a.code}).status_code == 200
    response = client.post(
        reverse("overview:report"),
        {"town": d.town_a.code, "year": 2025, "section": "orders", "text": "x"},
    )
    assert response.status_code == 403
    assert not ReportNarrative.objects.exists()


def test_the_pdf_is_a_chinese_document_with_the_figures(client, two_towns, tmp_path):
    d = two_towns
    _orders(d, 3)
    client.force_login(d.office_a)
    response = client.get(reverse("overview:report-pdf"), {"year": 2025})
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "朱泾镇2025年河长制工作总结" in text.stdout
    assert "督办单下发" in text.stdout


def test_the_excel_workbook_holds_every_figure_of_the_page(client, two_towns):
    d = two_towns
    _orders(d, 3)
    client.force_login(d.office_a)
    report = client.get(reverse("overview:report"), {"year": 2025}).context["report"]
    xlsx = client.get(reverse("overview:report-xlsx"), {"year": 2025})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    values = {row[4]: row[2] for row in rows[3:]}
    assert values["orders_issued"] == 3
    assert set(values) == report.keys


@pytest.mark.parametrize("size", [1, 8])
def test_the_report_runs_a_constant_number_of_queries(
    client, two_towns, size, django_assert_max_num_queries
):
    d = two_towns
    _orders(d, size)
    for _ in range(size):
        factories.RiverFactory(region=d.village_a2)
    client.force_login(d.office_a)
    with django_assert_max_num_queries(45):
        client.get(reverse("overview:report"), {"year": 2025})
