"""The pages name the DO rule in force and show what is flagged for review."""

import pytest

from monitoring.models import ImportJob
from monitoring.services import start_import
from tests.factories import PASSWORD
from tests.monitoring.factories import SampleFactory, at
from tests.monitoring.labfiles import HEADER, csv_upload, lab_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client, office):
    client.login(username=office.username, password=PASSWORD)
    return client


def test_the_conventions_name_the_do_rule_in_force(office_client, point, settings):
    SampleFactory(point=point, sampled_at=at(2018, 5, 2), nh3n=0.4)
    page = office_client.get("/monitoring/?period=2018-05").content.decode()
    assert "溶解氧Ⅰ类：≥7.5 mg/L（全国评价实践" in page
    assert "打断连续" in page
    settings.MONITORING_DO_CLASS_I_RULE = "saturation"
    page = office_client.get("/monitoring/?period=2018-05").content.decode()
    assert "本单位已启用" in page


def test_a_supersaturated_sample_is_marked_for_review_on_its_page(office_client, point):
    sample = SampleFactory(point=point, sampled_at=at(2018, 5, 2), do=21.4, temp=28, nh3n=0.4)
    page = office_client.get(f"/monitoring/samples/{sample.pk}/").content.decode()
    assert 'id="sample-review"' in page
    assert "复核" in page
    calm = SampleFactory(point=point, sampled_at=at(2018, 5, 3), do=9.0, temp=28, nh3n=0.4)
    assert (
        'id="sample-review"'
        not in office_client.get(f"/monitoring/samples/{calm.pk}/").content.decode()
    )


def test_the_import_preview_lists_flagged_rows_and_the_files_row_count(
    office_client, point, office, django_capture_on_commit_callbacks
):
    rows = lab_rows(n=3)
    rows[1][HEADER.index("溶解氧(mg/L)")] = "21.4"  # at 24.5 °C: past twice saturation
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(upload=csv_upload(rows), by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.preview["flagged_count"] == 1
    assert job.preview["flagged"][0]["row"] == 3
    page = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert 'id="preview-flagged"' in page
    assert "文件共 3 行数据" in page
    assert "溶解氧Ⅰ类：≥7.5 mg/L" in page
