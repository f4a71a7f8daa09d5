"""HTML pages through the Django client: list, export, river page, samples, import, scoping."""

import io

import pytest
from openpyxl import load_workbook

from monitoring.models import ImportJob, Sample
from monitoring.standards import PARAMETERS
from monitoring.templatetags.monitoring_tags import mean_of
from rivers.models import River
from tests.factories import PASSWORD, RiverFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.monitoring.labfiles import csv_upload, lab_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, office):
    client.login(username=office.username, password=PASSWORD)
    return client


def _rivers(village, n, samples_per_point=1):
    for i in range(n):
        point = MonitoringPointFactory(river__region=village, river__name=f"河{i}")
        for k in range(samples_per_point):
            SampleFactory(
                point=point,
                sampled_at=at(2018, 5, 1 + k),
                nh3n=0.4 + i * 0.6,
                do=5,
                transparency=40,
            )


def test_the_list_shows_worse_than_class_v_rivers_first(office_client, village):
    _rivers(village, 8)
    response = office_client.get("/monitoring/?period=2018-05")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.status.water_class for r in rows] == sorted(
        (r.status.water_class for r in rows), reverse=True
    )
    assert rows[0].status.class_label == "劣Ⅴ类"
    assert "劣Ⅴ类" in response.content.decode()


def test_a_list_row_prints_its_status_as_the_monitoring_filters_would(office_client, village):
    """A row's text is worked out in the view once per page; it says what the status holds."""
    _rivers(village, 8, samples_per_point=2)
    response = office_client.get("/monitoring/?period=2018-05")
    html = response.content.decode()
    worst = response.context["rows"][0]
    s = worst.status
    assert (
        f'href="/monitoring/rivers/{worst.river.pk}/?period=2018-05">{worst.river.name}</a>' in html
    )
    assert s.is_worse_than_v
    assert '<tr class="flag">' in html
    assert f'<span class="tag bad">{s.class_label}</span>' in html
    assert f"<small>{'、'.join(i.describe() for i in s.deciding)}</small>" in html
    nh3n = mean_of(s.means, PARAMETERS["nh3n"])
    assert nh3n
    assert f'<td class="num">{nh3n}</td>' in html
    assert f'<td class="num">{s.point_count}/{s.sample_count}</td>' in html
    assert f"<small>{village.name}</small>" in html
    english = office_client.get(
        "/monitoring/?period=2018-05", headers={"accept-language": "en"}
    ).content.decode()
    assert "Class V" in english
    assert "劣Ⅴ类" not in english


def test_the_list_runs_a_constant_number_of_queries(
    office_client, village, django_assert_max_num_queries
):
    _rivers(village, 3, samples_per_point=2)
    # The first visit computes the statuses (three queries) and stores them (one).
    with django_assert_max_num_queries(15) as few:
        office_client.get("/monitoring/?period=2018-05")
    _rivers(village, 20, samples_per_point=5)
    # Twenty more rivers: the same, and one more to find which rivers are stored already.
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        response = office_client.get("/monitoring/?period=2018-05")
    assert len(response.context["rows"]) == 23
    # Then they are read: four queries fewer than the first visit.
    with django_assert_max_num_queries(len(few.captured_queries) - 4):
        response = office_client.get("/monitoring/?period=2018-05")
    assert len(response.context["rows"]) == 23


def test_the_lists_pages_follow_its_order_and_read_each_status_once_stored(office_client, village):
    """A page's rows are found by their ids in the list's order, then read whole; once every
    status of the period is stored, the count by class tells so and nothing checks again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring import selectors
    from monitoring.periods import Period

    _rivers(village, 53)
    first = office_client.get("/monitoring/?period=2018-05")
    assert len(first.context["rows"]) == 50
    with CaptureQueriesContext(connection) as seen:
        second = office_client.get("/monitoring/?period=2018-05&page=2")
    statuses = [q["sql"] for q in seen.captured_queries if "riverperiodstatus" in q["sql"]]
    assert len(statuses) == 2  # the list (ids, classes), the page
    assert not any('"period_start" AS' in sql for sql in statuses)  # no stored check
    office = first.context["request"].user
    every = selectors.river_quality_rows(user=office, period=Period.month(2018, 5))
    shown = [r.river.pk for r in first.context["rows"]] + [
        r.river.pk for r in second.context["rows"]
    ]
    assert shown == [r.river.pk for r in every]
    assert second.context["summary"]["rivers"] == 53


def test_the_list_filters_by_village_and_worse_than_v(office_client, village, other_village):
    _rivers(village, 5)
    MonitoringPointFactory(river__region=other_village, river__name="别村河")
    response = office_client.get(f"/monitoring/?period=2018-05&village={village.code}")
    assert "别村河" not in response.content.decode()
    response = office_client.get("/monitoring/?period=2018-05&only=worse_than_v")
    assert {r.status.water_class for r in response.context["rows"]} == {6}


def test_the_list_exports_to_excel(office_client, village):
    _rivers(village, 4)
    response = office_client.get("/monitoring/?period=2018-05&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["河道编码", "河道名称", "所在村/居委", "水质目标", "水质类别"]
    assert ws.cell(row=2, column=5).value == "劣Ⅴ类"
    assert ws.max_row == 5


def test_a_village_chief_sees_only_rivers_in_scope(client, village_chief, village, other_village):
    MonitoringPointFactory(river__region=village, river__name="本村河")
    other = MonitoringPointFactory(river__region=other_village, river__name="外村河")
    client.login(username=village_chief.username, password=PASSWORD)
    body = client.get("/monitoring/").content.decode()
    assert "本村河" in body
    assert "外村河" not in body
    assert client.get(f"/monitoring/rivers/{other.river_id}/").status_code == 404
    assert client.get("/monitoring/imports/").status_code == 403


def test_the_river_page_has_a_chart_per_parameter_with_its_limits(
    office_client, point, django_assert_max_num_queries
):
    for month in range(1, 7):
        SampleFactory(point=point, sampled_at=at(2018, month, 3), nh3n=1.2, do=4.0, tp=0.2)
    with django_assert_max_num_queries(14):
        response = office_client.get(f"/monitoring/rivers/{point.river_id}/?period=2018-06")
    assert response.status_code == 200
    charts = {c["code"]: c for c in response.context["charts"]["charts"]}
    assert charts["nh3n"]["limits"] == [0.15, 0.5, 1.0, 1.5, 2.0]
    assert len(charts["nh3n"]["series"][str(point.id)]) == 6
    assert charts["tn"]["assessed"] is False
    assert response.context["status"].water_class == 4
    assert 'id="chart-data"' in response.content.decode()


def test_a_lake_page_charts_the_lake_tp_limits(office_client, village):
    point = MonitoringPointFactory(river=RiverFactory(region=village, water_type="lake"))
    SampleFactory(point=point, sampled_at=at(2018, 6, 3), tp=0.04)
    response = office_client.get(f"/monitoring/rivers/{point.river_id}/?period=2018-06")
    charts = {c["code"]: c for c in response.context["charts"]["charts"]}
    assert charts["tp"]["limits"] == [0.01, 0.025, 0.05, 0.1, 0.2]
    assert response.context["status"].water_class == 3


def test_the_sample_page_shows_each_items_class_and_the_history(office_client, point):
    sample = SampleFactory(point=point, sampled_at=at(2018, 6, 3), nh3n=2.6, tn=5.0, do=1.5)
    body = office_client.get(f"/monitoring/samples/{sample.pk}/").content.decode()
    assert "劣Ⅴ类" in body
    assert "只报告，不参评" in body  # TN
    assert "轻度黑臭" in body  # DO 1.5
    assert "修改记录" in body


def test_point_pages_list_points_and_their_samples(
    office_client, point, village, django_assert_max_num_queries
):
    SampleFactory(point=point, sampled_at=at(2018, 6, 3), nh3n=0.3)
    for _ in range(15):
        SampleFactory(
            point=MonitoringPointFactory(river__region=village), sampled_at=at(2018, 6, 3)
        )
    with django_assert_max_num_queries(8):
        assert "朱泾塘桥" in office_client.get("/monitoring/points/").content.decode()
    with django_assert_max_num_queries(9):
        body = office_client.get(f"/monitoring/points/{point.pk}/").content.decode()
    assert "2018-06-03" in body


def test_the_office_uploads_previews_and_imports_a_lab_file(
    office_client, point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post("/monitoring/imports/", {"file": csv_upload(lab_rows(n=4))})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/imports/{job.pk}/"
    body = office_client.get(response["Location"]).content.decode()
    assert "将新增 4 份水样" in body
    # the htmx poll returns the status fragment only
    fragment = office_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-status"')
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(f"/monitoring/imports/{job.pk}/confirm/")
    assert Sample.objects.count() == 4
    body = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "已导入 4 份水样" in body


def test_an_upload_that_is_not_a_spreadsheet_is_a_form_error(office_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = office_client.post(
        "/monitoring/imports/", {"file": SimpleUploadedFile("report.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert "只支持 .csv 和 .xlsx 文件" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_template_download_has_the_headers_the_importer_reads(office_client):
    from monitoring import labfile

    response = office_client.get("/monitoring/imports/template.xlsx")
    header = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
    columns = labfile.read_header(header)
    assert {"point", "sampled_at", "nh3n", "transparency", "orp"} <= {c.field for c in columns}


def test_a_lake_sample_page_shows_total_nitrogen_classed_on_its_own(office_client, village):
    point = MonitoringPointFactory(river=RiverFactory(region=village, water_type="lake"))
    sample = SampleFactory(point=point, sampled_at=at(2018, 6, 3), tn=1.2, nh3n=0.1)
    body = office_client.get(f"/monitoring/samples/{sample.pk}/").content.decode()
    assert "单独评价，不参与定类" in body
    assert "Ⅳ类" in body


def test_a_lab_file_with_errors_lists_them_by_row_and_column(
    office_client, point, django_capture_on_commit_callbacks
):
    rows = lab_rows(n=3)
    rows[1][9] = "-0.3"
    rows[2][2] = "2099-01-01 09:00"
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post("/monitoring/imports/", {"file": csv_upload(rows)})
    body = office_client.get(response["Location"]).content.decode()
    assert "发现 2 处错误，未导入任何数据" in body
    assert "氨氮不能为负数" in body
    assert "采样时间晚于当前时间" in body
    assert "confirm-import" not in body


def test_a_job_that_stopped_moving_says_so(office_client, office):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    job = ImportJob.objects.create(
        file=ContentFile(b"x", name="a.csv"),
        original_name="a.csv",
        created_by=office,
        status=ImportJob.Status.CHECKING,
        updated_at=timezone.now() - timedelta(minutes=11),
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now())
    body = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert 'id="import-stalled"' not in body
    # Stopped for over 10 minutes: the next look says what the database holds (nothing).
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    body = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "处理被中断，数据库中没有这次导入的任何水样" in body
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED


def test_the_point_list_counts_each_points_samples_in_river_order_and_only_the_towns(
    client, two_towns, django_assert_max_num_queries
):
    d = two_towns
    later = MonitoringPointFactory(river=RiverFactory(region=d.village_a1, code="Z-9"), code="P2")
    first = MonitoringPointFactory(river=RiverFactory(region=d.village_a2, code="A-1"), code="P1")
    theirs = MonitoringPointFactory(river=d.river_b1, code="P3")
    for point, n in ((later, 3), (first, 1), (theirs, 2)):
        for day in range(n):
            SampleFactory(point=point, sampled_at=at(2018, 6, 1 + day))
    client.force_login(d.office_a)
    with django_assert_max_num_queries(8):
        page = client.get("/monitoring/points/").context["page"]
    assert [(p.code, p.sample_count) for p in page] == [("P1", 1), ("P2", 3)]
    client.force_login(d.office_b)
    assert [
        (p.code, p.sample_count) for p in client.get("/monitoring/points/").context["page"]
    ] == [("P3", 2)]


def test_a_point_row_shows_its_point_as_the_template_filters_would(
    client, office, point, river, other_town_point
):
    """The rows' links, body label and coordinates are worked out in the view once per page:
    the same text as ``{% url %}``, ``get_FOO_display`` and ``floatformat`` gave, in both
    languages; the other town's point is not listed."""
    from decimal import Decimal

    from django.template.defaultfilters import floatformat
    from django.urls import reverse
    from django.utils import translation

    from monitoring.models import MonitoringPoint

    MonitoringPoint.objects.filter(pk=point.pk).update(
        latitude=Decimal("30.123456"), longitude=Decimal("121.5"), responsible="auto_station"
    )
    point.refresh_from_db()
    client.force_login(office)
    url = reverse("monitoring:point-list")
    html = client.get(url).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    row = html[html.index(point.code) :]
    row = row[: row.index("</tr>")]
    assert (
        f'<a href="{reverse("monitoring:point-detail", args=[point.pk])}">{point.name}</a>' in row
    )
    assert (
        f'<a href="{reverse("monitoring:river-detail", args=[river.pk])}">{river.name}</a>' in row
    )
    coordinates = f"{floatformat(point.latitude, 5)}, {floatformat(point.longitude, 5)}"
    assert coordinates == "30.12346, 121.50000"
    assert f"<small>{coordinates}</small>" in row
    with translation.override("zh-hans"):
        assert f"<small>{point.get_responsible_display()}</small>" in row
    with translation.override("en"):
        assert f"<small>{point.get_responsible_display()}</small>" in english
    assert other_town_point.code not in html


def test_the_rows_written_in_the_view_escape_what_users_typed(office_client, village):
    """The water-quality rows are markup written in Python: a river's name, code or village
    typed with markup shows as text, as the template's autoescape did."""
    typed = '<img src=x onerror="alert(1)">'
    _rivers(village, 1)
    river = River.objects.get(name="河0")
    river.name, river.code = f"河{typed}", 'C<b>&"x'  # a code is at most 30 characters
    river.save()
    village.name = f"村{typed}"
    village.save()
    html = office_client.get("/monitoring/?period=2018-05").content.decode()
    assert typed not in html
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert f"河{escaped}" in html
    assert "C&lt;b&gt;&amp;&quot;x" in html
    assert f"村{escaped}" in html
