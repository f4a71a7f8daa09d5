import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from smartwater import services
from smartwater.models import Site
from tests import factories

pytestmark = pytest.mark.django_db
HEADERS = [
    "站点编码",
    "站点名称",
    "河道编码",
    "水闸编码",
    "状态",
    "纬度",
    "经度",
    "监测参数",
    "备注",
]


def xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("sites.xlsx", out.getvalue())


@pytest.fixture
def gate(two_towns):
    return factories.SluiceGateFactory(
        code="G-A2", river=two_towns.river_a2, region=two_towns.village_a2
    )


def test_the_import_creates_and_updates_sites_by_code(two_towns, gate):
    d = two_towns
    services.register_site(
        by=d.office_a,
        code="JC-1",
        name="旧名",
        river=d.river_a1,
        gate=None,
        status="proposed",
        latitude="30.9",
        longitude="121.1",
        parameters=[],
        notes="",
    )
    result = services.import_sites(
        upload=xlsx(
            [
                [
                    "JC-1",
                    "待泾浜监测点",
                    d.river_a1.code,
                    "",
                    "已批复",
                    30.91,
                    121.17,
                    "水位、氨氮",
                    "",
                ],
                [
                    "JC-2",
                    "秀州闸监测点",
                    "",
                    "G-A2",
                    "拟设",
                    30.92,
                    121.18,
                    "水位,闸门开度",
                    "靠东岸",
                ],
            ]
        ),
        by=d.office_a,
    )
    assert result.errors == []
    assert (result.created, result.updated) == (1, 1)
    first = Site.objects.get(code="JC-1")
    assert first.name == "待泾浜监测点"
    assert first.status == Site.Status.APPROVED
    assert first.parameters == ["water_level", "nh3n"]
    second = Site.objects.get(code="JC-2")
    assert second.gate == gate
    assert second.parameters == ["water_level", "gate_opening"]
    assert second.town == d.town_a


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(two_towns, gate):
    d = two_towns
    result = services.import_sites(
        upload=xlsx(
            [
                ["JC-1", "好的一行", d.river_a1.code, "", "拟设", 30.9, 121.1, "水位", ""],
                ["JC-2", "两个都填", d.river_a1.code, "G-A2", "拟设", 30.9, 121.1, "", ""],
                ["JC-3", "别的镇的河", d.river_b1.code, "", "拟设", 30.9, 121.1, "", ""],
                ["JC-4", "纬度错", d.river_a2.code, "", "拟设", 300, 121.1, "", ""],
                ["JC-5", "参数错", d.river_a2.code, "", "拟设", 30.9, 121.1, "透明度吧", ""],
                ["JC-1", "重复编码", d.river_a2.code, "", "拟设", 30.9, 121.1, "", ""],
            ]
        ),
        by=d.office_a,
    )
    assert Site.objects.count() == 0
    assert result.created == 0
    lines = " | ".join(result.errors)
    for n in (3, 4, 5, 6, 7):
        assert f"第 {n} 行" in lines
    assert "第 2 行" not in lines


def test_a_file_without_the_required_columns_is_refused(two_towns):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.import_sites(upload=xlsx([["x"]], headers=["名称"]), by=two_towns.office_a)
    assert "file" in exc.value.message_dict


def test_the_export_reads_back_through_the_import(two_towns, gate):
    d = two_towns
    services.register_site(
        by=d.office_a,
        code="JC-9",
        name='=HYPERLINK("x")',
        river=None,
        gate=gate,
        status="installed",
        latitude="30.95",
        longitude="121.15",
        parameters=["water_level", "video"],
        notes="",
    )
    data = services.export_sites(sites=Site.objects.all())
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][1] == '=HYPERLINK("x")'
    assert ws.cell(row=2, column=2).data_type == "s"  # a text cell, never a live formula
    Site.objects.filter(code="JC-9").update(status="proposed")
    result = services.import_sites(upload=SimpleUploadedFile("back.xlsx", data), by=d.office_a)
    assert result.errors == []
    back = Site.objects.get(code="JC-9")
    assert back.status == "installed"
    assert back.name == '=HYPERLINK("x")'


def test_only_the_office_of_the_town_imports_or_registers(two_towns):
    from django.core.exceptions import PermissionDenied

    d = two_towns
    with pytest.raises(PermissionDenied):
        services.import_sites(upload=xlsx([]), by=d.chief_a1)
    result = services.import_sites(
        upload=xlsx([["JC-1", "亭林的河", d.river_a1.code, "", "拟设", 30.9, 121.1, "", ""]]),
        by=d.office_b,
    )
    assert "第 2 行" in result.errors[0]
    assert Site.objects.count() == 0


def test_the_pages_list_import_export_and_map_the_sites(client, two_towns, gate):
    d = two_towns
    services.register_site(
        by=d.office_a,
        code="JC-1",
        name="待泾浜监测点",
        river=d.river_a1,
        gate=None,
        status="installed",
        latitude="30.9",
        longitude="121.17",
        parameters=["water_level"],
        notes="",
    )
    client.force_login(d.office_b)
    assert "待泾浜监测点" not in client.get(reverse("smartwater:site-list")).content.decode()
    assert client.get(reverse("smartwater:sites-geojson")).json()["features"] == []
    client.force_login(d.office_a)
    page = client.get(reverse("smartwater:site-list")).content.decode()
    assert "待泾浜监测点" in page
    geo = client.get(reverse("smartwater:sites-geojson")).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [121.17, 30.9]
    export = client.get(reverse("smartwater:site-export"))
    assert export.status_code == 200
    bad = client.post(
        reverse("smartwater:site-import"),
        {"file": xlsx([["JC-2", "坏行", "NOPE", "", "拟设", 30.9, 121.1, "", ""]])},
    )
    assert bad.status_code == 400
    assert "第 2 行" in bad.content.decode()
    edit = client.post(
        reverse("smartwater:site-edit", args=[Site.objects.get().pk]),
        {"status": "approved", "latitude": "30.9", "longitude": "121.17", "notes": "改"},
    )
    assert edit.status_code == 302
    assert Site.objects.get().status == "approved"


def test_the_api_registers_and_lists_sites_within_the_callers_town(api_client, two_towns):
    d = two_towns
    api_client.force_authenticate(d.office_a)
    created = api_client.post(
        "/api/v1/monitoring-sites/",
        {
            "code": "JC-1",
            "name": "待泾浜监测点",
            "river": d.river_a1.pk,
            "latitude": "30.9",
            "longitude": "121.17",
            "parameters": ["water_level", "do"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    theirs = api_client.post(
        "/api/v1/monitoring-sites/",
        {"code": "JC-2", "name": "x", "river": d.river_b1.pk, "latitude": 30, "longitude": 121},
        format="json",
    )
    assert theirs.status_code == 400
    assert "river" in theirs.json()["errors"]
    patched = api_client.patch(
        f"/api/v1/monitoring-sites/{created.json()['id']}/", {"status": "installed"}, format="json"
    )
    assert patched.json()["status"] == "installed"
    _token, key = d.read_token
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api_client.get("/api/v1/monitoring-sites/")
    assert [s["code"] for s in listed.json()["results"]] == ["JC-1"]
    assert api_client.get("/api/v1/monitoring-sites/geojson/").json()["type"] == "FeatureCollection"
    refused = api_client.post("/api/v1/monitoring-sites/", {"code": "x"}, format="json")
    assert refused.status_code == 403
