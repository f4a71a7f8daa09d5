"""The registry import: all-or-nothing, row-numbered messages, one service for both doors."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from rivers import importing
from rivers.models import River
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "河道编码,河道名称,河道等级,长度(公里),所属村,流经村,水质目标,起点,终点,备注"


@pytest.fixture
def villages(town):
    return [
        factories.VillageFactory(parent=town, name="待泾村"),
        factories.VillageFactory(parent=town, name="秀州村"),
    ]


def csv_bytes(*rows: str, header: str = HEADER, encoding="utf-8-sig") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def run(content, town, user=None, *, filename="rivers.csv", commit=True, update=False):
    return importing.import_rivers(
        content=content, filename=filename, town=town, by=user, commit=commit, update=update
    )


GOOD = [
    "ZJ-Z101,示例塘,镇级,3.20,,待泾村、秀州村,Ⅳ类,朱泾塘,掘石港,",
    "ZJ-C101,示例浜,村级,0.65,待泾村,,Ⅴ类,示例塘,断头,断头浜",
]


def test_a_good_file_is_imported_with_its_villages(town, villages, town_staff):
    result = run(csv_bytes(*GOOD), town, town_staff)
    assert result.ok
    assert result.committed
    assert result.created == 2
    town_river = River.objects.get(code="ZJ-Z101")
    assert town_river.region == town
    assert town_river.length_km == Decimal("3.20")
    assert town_river.target_class == 4
    assert set(town_river.regions.all()) == {town, *villages}
    village_river = River.objects.get(code="ZJ-C101")
    assert village_river.region == villages[0]
    assert village_river.level == "village"
    assert village_river.note == "断头浜"
    assert village_river.history.count() == 1


def test_a_dry_run_writes_nothing(town, villages, town_staff):
    result = run(csv_bytes(*GOOD), town, town_staff, commit=False)
    assert result.ok
    assert not result.committed
    assert [r.action for r in result.rows] == ["create", "create"]
    assert not River.objects.exists()


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("ZJ-C102,坏浜,村级,1.0,不存在村,,Ⅴ类,,,", "第 3 行：所属村“不存在村”不是"),
        ("ZJ-C102,坏浜,村级,-1,待泾村,,Ⅴ类,,,", "第 3 行：长度必须大于 0"),
        ("ZJ-C102,坏浜,村级,1500,待泾村,,Ⅴ类,,,", "第 3 行：长度 1500 公里不合理"),
        ("ZJ-C102,坏浜,村级,一公里,待泾村,,Ⅴ类,,,", "第 3 行：长度应为数字"),
        ("ZJ-C102,,村级,1,待泾村,,Ⅴ类,,,", "第 3 行：缺少河道名称"),
        ("ZJ-C101,重复浜,村级,1,待泾村,,Ⅴ类,,,", "第 3 行：河道编码 ZJ-C101 与第 2 行重复"),
        ("ZJ-C102,坏浜,省级,1,待泾村,,Ⅴ类,,,", "第 3 行：河道等级“省级”无效"),
        ("ZJ-C102,坏浜,村级,1,,,Ⅴ类,,,", "第 3 行：村级河道必须填写所属村"),
        ("ZJ-C102,坏浜,村级,1,待泾村,,Ⅶ类,,,", "第 3 行：水质目标“Ⅶ类”无效"),
        ("ZJ-C102,坏浜,村级,1,待泾村,秀州村、鬼村,Ⅴ类,,,", "第 3 行：流经村“鬼村”不是"),
    ],
)
def test_one_bad_row_stops_the_whole_import(town, villages, town_staff, bad_row, expected):
    rows = [GOOD[1], bad_row, GOOD[0]]
    result = run(csv_bytes(*rows), town, town_staff)
    assert not result.ok
    assert not result.committed
    assert any(str(e).startswith(expected) for e in result.errors), result.errors
    assert not River.objects.exists()


def test_a_code_already_registered_is_an_error_unless_updating_is_chosen(
    town, villages, town_staff
):
    existing = factories.RiverFactory(code="ZJ-C101", name="旧名", region=villages[0])
    result = run(csv_bytes(*GOOD), town, town_staff)
    assert [str(e) for e in result.errors] == [
        "第 3 行：河道编码 ZJ-C101 已登记（旧名）；如需更新请选择“更新已登记的河道”"
    ]
    assert River.objects.count() == 1

    result = run(csv_bytes(*GOOD), town, town_staff, update=True)
    assert result.ok
    assert result.created == 1
    assert result.updated == 1
    existing.refresh_from_db()
    assert existing.name == "示例浜"
    assert existing.length_km == Decimal("0.65")


def test_a_code_of_another_town_cannot_be_updated(town, villages, town_staff):
    factories.RiverFactory(code="ZJ-C101", region=factories.VillageFactory())
    result = run(csv_bytes(*GOOD), town, town_staff, update=True)
    assert "属于其他镇" in str(result.errors[0])
    assert River.objects.count() == 1


def test_an_xlsx_file_with_gbk_free_chinese_headers_is_read(town, villages, town_staff):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["河道编码", "河道名称", "河道等级", "长度（公里）", "所属村", "水质目标"])
    sheet.append(["ZJ-C201", "表格浜", "村级", 1.25, "秀州村", 3])
    sheet.append([None, None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(buffer.getvalue(), town, town_staff, filename="名录.xlsx")
    assert result.ok, result.errors
    river = River.objects.get(code="ZJ-C201")
    assert (river.length_km, river.target_class, river.region) == (Decimal("1.25"), 3, villages[1])


def test_a_gbk_csv_from_chinese_excel_is_read(town, villages, town_staff):
    result = run(csv_bytes(GOOD[1], encoding="gb18030"), town, town_staff)
    assert result.ok, result.errors


def test_the_downloadable_template_imports_cleanly(town, villages, town_staff):
    for content, name in (
        (importing.template_xlsx(), "t.xlsx"),
        (importing.template_csv(), "t.csv"),
    ):
        result = run(content, town, town_staff, filename=name, commit=False)
        assert result.ok, result.errors
        assert len(result.rows) == 2


def test_a_file_without_the_required_columns_is_refused(town, town_staff):
    with pytest.raises(importing.ImportFileError, match="河道名称"):
        run(csv_bytes("X,1", header="河道编码,长度"), town, town_staff)


def test_a_village_chief_cannot_import(town, villages, village_chief):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(csv_bytes(*GOOD), town, village_chief)
    assert not River.objects.exists()


# --- the command -------------------------------------------------------------------------------


def test_the_command_exits_non_zero_with_row_numbers_and_writes_nothing(
    town, villages, tmp_path, capsys
):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(GOOD[0], "ZJ-C102,坏浜,村级,-3,待泾村,,,,,"))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_rivers", str(path), "--commit", "--town", town.code)
    assert "第 3 行：长度必须大于 0" in capsys.readouterr().err
    assert not River.objects.exists()


def test_the_command_dry_runs_unless_asked_to_commit(town, villages, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_rivers", str(path), "--town", town.code)
    assert "dry run: 2 to create" in capsys.readouterr().out
    assert not River.objects.exists()
    call_command("import_rivers", str(path), "--commit")  # the only town: no --town needed
    assert "imported: 2 to create" in capsys.readouterr().out
    assert River.objects.count() == 2


# --- the page ----------------------------------------------------------------------------------


def upload(client, content, name="rivers.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("rivers:import"), {"file": SimpleUploadedFile(name, content), **extra}
    )


def test_office_staff_preview_then_confirm_in_the_browser(client, town, villages, town_staff):
    client.force_login(town_staff)
    response = upload(client, csv_bytes(*GOOD), town=town.pk)
    assert response.status_code == 200
    assert "预览：新增 2 条" in response.content.decode()
    assert not River.objects.exists()
    response = client.post(reverse("rivers:import-confirm"))
    assert response.status_code == 302
    assert River.objects.count() == 2
    # The confirmed file is gone from the session: confirming again imports nothing twice.
    client.post(reverse("rivers:import-confirm"))
    assert River.objects.count() == 2


def test_the_page_lists_every_bad_row_and_offers_no_confirmation(
    client, town, villages, town_staff
):
    client.force_login(town_staff)
    bad = ["ZJ-C301,,村级,1,待泾村,,,,,", "ZJ-C302,好浜,村级,999,待泾村,,,,,"]
    page = upload(client, csv_bytes(*bad), town=town.pk).content.decode()
    assert "第 2 行：缺少河道名称" in page
    assert "第 3 行：长度 999" in page
    assert reverse("rivers:import-confirm") not in page
    assert client.post(reverse("rivers:import-confirm")).status_code == 302
    assert not River.objects.exists()


def test_a_village_chief_cannot_open_the_import_page(client, village_chief):
    client.force_login(village_chief)
    assert client.get(reverse("rivers:import")).status_code == 403
    assert client.get(reverse("rivers:river-list")).status_code == 200


def test_the_template_downloads_as_xlsx_and_csv(client, town_staff):
    client.force_login(town_staff)
    response = client.get(reverse("rivers:import-template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.get(reverse("rivers:import-template") + "?format=csv")
    assert response.content.decode("utf-8-sig").startswith("河道编码,河道名称")
