"""The registry import reads through the shared capped reader: hostile files cost nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from rivers.models import River
from rivers.views import SESSION_KEY
from tests import factories
from tests.xlsx_files import bomb_xlsx, handmade_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["河道编码", "河道名称", "河道等级", "长度(公里)", "所属村", "流经村", "水质目标"]


@pytest.fixture
def village(town):
    return factories.VillageFactory(parent=town, name="待泾村")


@pytest.fixture
def bomb(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_MB = 20
    return bomb_xlsx(tmp_path / "名录.xlsx", rows=300_000, header=HEADER)  # ~40 MB unpacked


@pytest.fixture
def big_csv(tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "名录.csv"
    row = "ZJ-C{:06d},示例浜,村级,0.65,待泾村,,Ⅴ类\n"
    path.write_text(",".join(HEADER) + "\n" + "".join(row.format(i) for i in range(40_000)))
    assert path.stat().st_size > 1024 * 1024
    return path


def _post(client, town, path):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("rivers:import"), {"file": upload, "town": town.pk})


def test_a_bomb_xlsx_is_refused_on_the_page_before_reading_its_rows(
    client, town, village, town_staff, bomb
):
    client.force_login(town_staff)
    page = _post(client, town, bomb).content.decode()
    assert "解压后" in page
    assert SESSION_KEY not in client.session
    assert not River.objects.exists()


def test_a_bomb_xlsx_makes_the_command_exit_non_zero(town, village, bomb):
    with pytest.raises(CommandError, match="解压后"):
        call_command("import_rivers", str(bomb), "--commit", "--town", town.code)
    assert not River.objects.exists()


def test_a_bomb_below_the_unpacked_cap_is_stopped_by_its_row_count(town, village, tmp_path):
    path = bomb_xlsx(tmp_path / "名录.xlsx", rows=100_000, header=HEADER)
    with pytest.raises(CommandError, match="20000"):
        call_command("import_rivers", str(path), "--commit", "--town", town.code)
    assert not River.objects.exists()


def test_an_oversize_csv_is_refused_on_the_page(client, town, village, town_staff, big_csv):
    client.force_login(town_staff)
    page = _post(client, town, big_csv).content.decode()
    assert "超过上限 1 MB" in page
    assert not River.objects.exists()


def test_an_oversize_csv_makes_the_command_exit_non_zero(town, village, big_csv):
    with pytest.raises(CommandError, match="超过上限 1 MB"):
        call_command("import_rivers", str(big_csv), "--commit", "--town", town.code)
    assert not River.objects.exists()


def test_an_xlsx_with_a_wrong_dimension_imports_every_row(town, village, tmp_path):
    rows = [[f"ZJ-C{i:03d}", f"示例浜{i}", "村级", "0.65", "待泾村", "", "Ⅴ类"] for i in range(5)]
    path = handmade_xlsx(tmp_path / "名录.xlsx", [HEADER, *rows], dimension="A1:G2")
    call_command("import_rivers", str(path), "--commit", "--town", town.code)
    assert River.objects.count() == 5
